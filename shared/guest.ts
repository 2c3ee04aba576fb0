/**
 * The operating system found on a disk, as `ferry inspect` reports it and the wizard shows it.
 * It decides the hypervisors' guest ids and the hardware defaults of a VM definition.
 */
export interface GuestOs {
  family: 'linux' | 'windows';
  /** What a person calls it: os-release PRETTY_NAME, or Windows' ProductName. */
  name: string;
  /** Linux: os-release ID ("debian", "ubuntu", "rhel"); Windows: "windows". */
  id: string;
  /** Linux: VERSION_ID ("12"); Windows: the build's marketing version ("10.0", "6.1"). */
  version: string | null;
  /** Windows: EditionID ("Professional", "ServerStandard"). */
  edition: string | null;
  /** Windows: CurrentBuild as a number (19045). */
  build: number | null;
  /** The CPU architecture the installed system is built for, when the disk says so. */
  architecture: 'x86' | 'x86_64' | 'arm64' | null;
  /** The partition the system was found on. */
  partition: number | null;
}
