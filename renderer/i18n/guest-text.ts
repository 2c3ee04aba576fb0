/** A detected system in one line: "Debian GNU/Linux 12 (bookworm), x86_64, on partition 2". */
import type { GuestOs } from '../../shared/guest.js';
import type { Messages } from './en.js';

export function guestText(guest: GuestOs, t: Messages): string {
  return [
    guest.name,
    guest.build === null ? null : t.guest.build(guest.build),
    guest.architecture,
    guest.partition === null ? null : t.guest.onPartition(guest.partition),
  ]
    .filter((part) => part !== null)
    .join(', ');
}
