// The account this process runs as: its uid, and its name and home directory from the password
// database. Looked up here and nowhere else in the package.
import * as os from 'node:os';

/** This process's uid; undefined on platforms without one (Windows). */
export function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** The account's entry in the password database; undefined when there is none (a container started with a random uid). */
function passwordEntry(): os.UserInfo<string> | undefined {
  try {
    return os.userInfo();
  } catch {
    return undefined;
  }
}

/** The account's name, if it has an entry in the password database. */
export function accountName(): string | undefined {
  return passwordEntry()?.username;
}

/** The account's home directory from the password database (what a shell's `~` means without HOME). */
export function accountHome(): string | undefined {
  return passwordEntry()?.homedir;
}
