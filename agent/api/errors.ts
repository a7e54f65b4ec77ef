/** A request failure in Seam's error vocabulary (protocol.md §1). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
  body(): { error: { type: string; message: string; data?: Record<string, unknown> } } {
    return { error: { type: this.type, message: this.message, ...(this.data ? { data: this.data } : {}) } };
  }
}

export const invalidInput = (message: string, data?: Record<string, unknown>) => new ApiError(400, "invalid_input", message, data);
export const deviceNotFound = (id: string) => new ApiError(404, "device_not_found", `device_id "${id}" does not match any lock on this hub`);
export const accessCodeNotFound = (id: string) => new ApiError(404, "access_code_not_found", `access_code_id "${id}" does not match any access code on this hub`);
export const unsupported = (message: string) => new ApiError(400, "unsupported", message);
