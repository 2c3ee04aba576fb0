/**
 * The Master File Table read through its own runlist: MFT record 0 describes where the MFT
 * lies, so records are found by mapping their offset through $MFT's $DATA rather than by
 * assuming the table is contiguous.
 */
import type { BlockSource } from '../io/source.js';
import { ntfsError, type NtfsBoot } from './ntfs-boot.js';
import {
  ATTRIBUTE_LIST,
  DATA,
  parseMftRecord,
  type MftRecord,
  type NtfsAttribute,
} from './ntfs-record.js';
import { decodeRunlist, readThroughRuns, type Run } from './ntfs-runlist.js';
import { readInside } from './read-inside.js';

/** A non-resident stream, assembled from every extent that holds a piece of its runlist. */
export interface DataStream {
  runs: Run[];
  dataSize: number;
  initializedSize: number;
}

/** Windows caps $ATTRIBUTE_LIST at 256 KiB; anything larger is damage. */
const MAX_ATTRIBUTE_LIST = 256 * 1024;
const LIST_ENTRY_HEADER = 0x1a;

interface ListEntry {
  /** Where the entry starts in the list, for reading its name. */
  at: number;
  type: number;
  nameLength: number;
  nameOffset: number;
  lowestVcn: number;
  record: number;
  id: number;
}

export class Mft {
  private constructor(
    private readonly volume: BlockSource,
    private readonly boot: NtfsBoot,
    private stream: DataStream,
  ) {}

  /**
   * Reads record 0 where the boot sector says the MFT starts, then maps the rest of the table
   * through record 0's $DATA, following its attribute list when the runlist is spread over
   * extent records.
   */
  static async open(volume: BlockSource, boot: NtfsBoot): Promise<Mft> {
    const where = `${volume.path}: MFT record 0 ($MFT)`;
    const at = boot.mftCluster * boot.clusterSize;
    const bytes = await readInside(volume, at, boot.mftRecordSize, () =>
      ntfsError('the MFT lies beyond the end of the volume', where),
    );
    const record = parseMftRecord(bytes, 0, where);
    const first = unnamedData(record).find((a) => a.nonResident?.lowestVcn === 0);
    if (!first?.nonResident) throw ntfsError('$MFT has no non-resident $DATA attribute', where);
    const runs = decodeRunlist(first.nonResident, boot.totalClusters, where);
    if (runs[0]?.lcn !== boot.mftCluster) {
      throw ntfsError(
        'the $MFT runlist does not start at the cluster the boot sector names',
        where,
      );
    }
    const { dataSize, initializedSize } = first.nonResident;
    const mft = new Mft(volume, boot, { runs, dataSize, initializedSize });
    if (record.attributes.some((a) => a.type === ATTRIBUTE_LIST)) {
      mft.stream = await mft.dataStream(record);
    }
    return mft;
  }

  async record(number: number): Promise<MftRecord> {
    const where = `${this.volume.path}: MFT record ${number}`;
    const size = this.boot.mftRecordSize;
    if (
      !Number.isSafeInteger(number) ||
      number < 0 ||
      (number + 1) * size > this.stream.initializedSize
    ) {
      throw ntfsError(
        `the record lies beyond the MFT's ${this.stream.initializedSize} bytes`,
        where,
      );
    }
    const bytes = await this.readStream(this.stream, number * size, size, where);
    return parseMftRecord(bytes, number, where);
  }

  /** The unnamed $DATA stream of a file, stitched from its extent records where it has them. */
  async dataStream(file: MftRecord): Promise<DataStream> {
    const where = `${this.volume.path}: MFT record ${file.number} $DATA`;
    return this.joinPieces(await this.attributePieces(file, DATA, ''), '$DATA', where);
  }

  /**
   * Every piece of one attribute of a file (type and name), from the record itself or, when the
   * file has an attribute list, from the extent records the list names.
   */
  async attributePieces(file: MftRecord, type: number, name: string): Promise<NtfsAttribute[]> {
    const list = file.attributes.find((a) => a.type === ATTRIBUTE_LIST);
    if (list) return this.listedPieces(file, list, type, name);
    return file.attributes.filter((a) => a.type === type && a.name === name);
  }

  /** Joins the non-resident pieces of one attribute into one stream, checking they tile it. */
  joinPieces(pieces: readonly NtfsAttribute[], what: string, where: string): DataStream {
    const segments = pieces.flatMap((a) => (a.nonResident ? [a.nonResident] : []));
    if (segments.length === 0 || segments.length !== pieces.length) {
      throw ntfsError(`the file has no non-resident ${what} attribute`, where);
    }
    segments.sort((a, b) => a.lowestVcn - b.lowestVcn);
    const runs: Run[] = [];
    let nextVcn = 0;
    for (const segment of segments) {
      if (segment.lowestVcn !== nextVcn) {
        throw ntfsError(`an extent starts at VCN ${segment.lowestVcn}, expected ${nextVcn}`, where);
      }
      runs.push(...decodeRunlist(segment, this.boot.totalClusters, where));
      nextVcn = segment.highestVcn + 1;
    }
    // Only the extent holding VCN 0 carries the stream's sizes.
    const { dataSize, initializedSize } = segments[0] as (typeof segments)[number];
    if (dataSize > nextVcn * this.boot.clusterSize) {
      throw ntfsError(`a ${dataSize}-byte stream is mapped by only ${nextVcn} clusters`, where);
    }
    return { runs, dataSize, initializedSize };
  }

  readStream(stream: DataStream, offset: number, length: number, where: string): Promise<Buffer> {
    return readThroughRuns(
      this.volume,
      this.boot.clusterSize,
      stream.runs,
      stream.initializedSize,
      offset,
      length,
      where,
    );
  }

  /** The pieces of one attribute an attribute list names, each found in the record it points to. */
  private async listedPieces(
    file: MftRecord,
    list: NtfsAttribute,
    type: number,
    name: string,
  ): Promise<NtfsAttribute[]> {
    const where = `${this.volume.path}: MFT record ${file.number} $ATTRIBUTE_LIST`;
    const bytes = await this.attributeValue(list, where);
    const entries = parseAttributeList(bytes, where).filter(
      (entry) => entry.type === type && isNamed(bytes, entry, name, where),
    );
    const records = new Map<number, MftRecord>([[file.number, file]]);
    const pieces: NtfsAttribute[] = [];
    for (const entry of entries) {
      let record = records.get(entry.record);
      if (!record) {
        record = await this.record(entry.record);
        if (record.baseRecord !== file.number) {
          throw ntfsError(
            `extent record ${entry.record} belongs to record ${record.baseRecord}`,
            where,
          );
        }
        records.set(entry.record, record);
      }
      const piece = record.attributes.find(
        (a) =>
          a.type === type &&
          a.name === name &&
          a.id === entry.id &&
          (a.nonResident?.lowestVcn ?? 0) === entry.lowestVcn,
      );
      if (!piece) {
        throw ntfsError(`record ${entry.record} lacks the attribute piece listed for it`, where);
      }
      pieces.push(piece);
    }
    return pieces;
  }

  private async attributeValue(attribute: NtfsAttribute, where: string): Promise<Buffer> {
    if (attribute.value) return attribute.value;
    const header = attribute.nonResident;
    if (!header || header.dataSize > MAX_ATTRIBUTE_LIST) {
      throw ntfsError('the attribute list is larger than NTFS allows', where);
    }
    const stream = {
      runs: decodeRunlist(header, this.boot.totalClusters, where),
      dataSize: header.dataSize,
      initializedSize: header.initializedSize,
    };
    return this.readStream(stream, 0, header.dataSize, where);
  }
}

function unnamedData(record: MftRecord): NtfsAttribute[] {
  return record.attributes.filter((a) => a.type === DATA && a.name === '');
}

/** Whether an entry names `name`; its name bytes are read only when the lengths agree. */
function isNamed(bytes: Buffer, entry: ListEntry, name: string, where: string): boolean {
  if (entry.nameLength !== name.length) return false;
  if (name === '') return true;
  const start = entry.at + entry.nameOffset;
  const end = start + entry.nameLength * 2;
  if (end > entry.at + bytes.readUInt16LE(entry.at + 4)) {
    throw ntfsError(`the name of attribute list entry ${entry.at} lies outside it`, where);
  }
  return bytes.toString('utf16le', start, end) === name;
}

function parseAttributeList(bytes: Buffer, where: string): ListEntry[] {
  const entries: ListEntry[] = [];
  let at = 0;
  while (at + LIST_ENTRY_HEADER <= bytes.length) {
    const length = bytes.readUInt16LE(at + 4);
    if (length < LIST_ENTRY_HEADER || at + length > bytes.length) {
      throw ntfsError(`attribute list entry at ${at} has an impossible length ${length}`, where);
    }
    const lowestVcn = bytes.readBigUInt64LE(at + 8);
    if (lowestVcn > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw ntfsError(`attribute list entry at ${at} starts at an impossible VCN`, where);
    }
    entries.push({
      at,
      type: bytes.readUInt32LE(at),
      nameLength: bytes.readUInt8(at + 6),
      nameOffset: bytes.readUInt8(at + 7),
      lowestVcn: Number(lowestVcn),
      record: Number(bytes.readBigUInt64LE(at + 0x10) & 0xffffffffffffn),
      id: bytes.readUInt16LE(at + 0x18),
    });
    at += length;
  }
  return entries;
}
