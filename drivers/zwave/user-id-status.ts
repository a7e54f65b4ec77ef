// User ID status of the User Code CC: which statuses mean "this slot holds a code".
import { UserIDStatus } from "zwave-js";

/** Statuses in which a slot holds a code (everything but Available / StatusNotAvailable). */
export function isOccupiedStatus(status: UserIDStatus): boolean {
  return status !== UserIDStatus.Available && status !== UserIDStatus.StatusNotAvailable;
}
