/**
 * The VHDX log (MS-VHDX 2.3): a circular journal of metadata updates that an implementation
 * replays when it opens a file that was not closed cleanly. Replaying means writing to the
 * file, which a reader of a conversion source must not do, so such a file is refused.
 */
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { readGuid } from '../partitions/guid.js';
import type { VhdxHeader } from './vhdx-header.js';

const ENTRY_SIGNATURE = 'loge';
/** Log entries start on 4 KiB boundaries. */
const ENTRY_ALIGNMENT = 4096;
const ENTRY_LOG_GUID = 32;
const READ_SIZE = 2 ** 20;

/**
 * Throws UNSUPPORTED if the log holds an entry of the header's log GUID: the disk's metadata is
 * only complete once the log is replayed. A zero log GUID means an empty log (the entries left
 * by the last clean close carry another GUID).
 */
export async function refuseUnreplayedLog(file: BlockSource, header: VhdxHeader): Promise<void> {
  const { logGuid, logLength } = header;
  if (logGuid === undefined) return;
  const where = `${file.path}: VHDX log`;
  if (header.logOffset + BigInt(logLength) > BigInt(file.size)) {
    throw new FerryError(
      'BAD_IMAGE',
      `the log (${logLength} bytes at ${header.logOffset}) lies beyond the end of the file`,
      {
        where,
        hint: 'the VHDX is damaged or was cut short; `qemu-img check -f vhdx` may say more',
      },
    );
  }
  const logOffset = Number(header.logOffset);
  for (let done = 0; done < logLength; done += READ_SIZE) {
    const chunk = await file.read(logOffset + done, Math.min(READ_SIZE, logLength - done));
    for (let at = 0; at + ENTRY_LOG_GUID + 16 <= chunk.length; at += ENTRY_ALIGNMENT) {
      if (chunk.toString('latin1', at, at + 4) !== ENTRY_SIGNATURE) continue;
      if (readGuid(chunk, at + ENTRY_LOG_GUID) !== logGuid) continue;
      throw new FerryError('UNSUPPORTED', 'the VHDX log holds updates that were never applied', {
        where,
        hint: 'the disk was not closed cleanly or is in use: attach it once in Hyper-V (or run `qemu-img check -r all` on a copy) so the log is replayed, then convert it',
      });
    }
  }
}
