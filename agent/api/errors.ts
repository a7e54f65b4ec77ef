/** Seam's `validation_errors`, as the official SDKs read it: `{ _errors: [...], <field>: { _errors: [...] } }`. */
export type ValidationErrors = { _errors: string[] } & Record<string, { _errors: string[] }>;

export interface ErrorBody {
  readonly ok: false;
  readonly error: { type: string; message: string; data?: Record<string, unknown>; validation_errors?: ValidationErrors };
}

/** Messages per field (`_errors` for the request as a whole) in Seam's nesting. */
export function validationErrors(byField: ReadonlyMap<string, readonly string[]>): ValidationErrors {
  const out = { _errors: [] as string[] } as ValidationErrors;
  for (const [field, messages] of byField) {
    if (field === "_errors") out._errors.push(...messages);
    else out[field] = { _errors: [...messages] };
  }
  return out;
}

/** An error body outside the router (the doors' own refusals): same shape, `validation_errors` on invalid_input. */
export function errorBody(type: string, message: string): ErrorBody {
  return { ok: false, error: { type, message, ...(type === "invalid_input" ? { validation_errors: validationErrors(new Map([["_errors", [message]]])) } : {}) } };
}

/** A request failure in Seam's error vocabulary (protocol.md §1). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly data?: Record<string, unknown>,
    /** invalid_input only: the messages per parameter; defaults to the message for the request as a whole. */
    readonly fields?: ReadonlyMap<string, readonly string[]>,
  ) {
    super(message);
    this.name = "ApiError";
  }
  body(): ErrorBody {
    const invalid = this.type === "invalid_input" ? { validation_errors: validationErrors(this.fields ?? new Map([["_errors", [this.message]]])) } : {};
    return { ok: false, error: { type: this.type, message: this.message, ...(this.data ? { data: this.data } : {}), ...invalid } };
  }
}

/** 400 invalid_input; `data.field` names the parameter at fault (it also becomes that field's validation error). */
export function invalidInput(message: string, data?: Record<string, unknown>): ApiError {
  const field = data?.field;
  return new ApiError(400, "invalid_input", message, data, typeof field === "string" ? new Map([[field, [message]]]) : undefined);
}
export const deviceNotFound = (id: string) => new ApiError(404, "device_not_found", `device_id "${id}" does not match any lock on this hub`);
export const accessCodeNotFound = (id: string) => new ApiError(404, "access_code_not_found", `access_code_id "${id}" does not match any access code on this hub`);
export const unsupported = (message: string) => new ApiError(400, "unsupported", message);
