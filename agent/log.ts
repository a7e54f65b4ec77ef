import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Every key that can carry a PIN or a secret is censored wherever it appears (up to three levels deep),
 * so a request body or a lock report passed to the logger cannot leak one.
 */
const SENSITIVE_KEYS = ["code", "codes", "pin", "pincode", "pincodevalue", "api_key", "token", "authorization", "password", "network_key", "security_keys", "backup_code", "dsk", "qr_code", "qrCode", "install_code", "installCode", "private_key"];
const REDACT_PATHS = SENSITIVE_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export function createLogger(options: { level: string; pretty?: boolean; destination?: NodeJS.WritableStream }): Logger {
  const base = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { name: "lockbridge" },
  };
  if (options.pretty) {
    return pino({ ...base, transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,name" } } });
  }
  return options.destination ? pino(base, options.destination as pino.DestinationStream) : pino(base);
}
