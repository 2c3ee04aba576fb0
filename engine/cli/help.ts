/** What `ferry --help` and each command's `--help` print; kept apart so help loads nothing else. */

import { FORMAT_NAMES } from '../../shared/formats.js';

export const DISKS_HELP = `usage: ferry disks [--json]

Lists this machine's physical disks and their partitions. The disk holding the running
system is marked "system": converting it is a live (hot) clone.`;

export const INSPECT_HELP = `usage: ferry inspect <source> [--json]

Reads a disk or disk image without changing it and prints its partition table, the
filesystem in each partition and how much of it is in use.`;

export const CONVERT_HELP = `usage: ferry convert <source> <dest> [--format F] [--all-blocks] [--partitions 1,3]
                     [--resize N=SIZE]... [--disk-size SIZE] [--thick] [--compress]
                     [--machine vmware|virtualbox|hyperv|libvirt|ovf] [--name NAME]
                     [--cpus N] [--memory SIZE] [--firmware bios|uefi]
                     [--controller ide|sata|scsi|nvme|virtio] [--nic MODEL]
                     [--throttle RATE] [--verify] [--json] [--force]

Copies a disk or disk image into a virtual disk. By default only the blocks the filesystems
use are read, and all-zero runs are never written.

  --format F     ${FORMAT_NAMES.join(', ')}
                 (default: from the extension of <dest>)
  --all-blocks   copy every non-zero block, used or not
  --partitions L copy only the partitions in the comma-separated list L (e.g. 1,3)
  --resize N=S   give partition N the size S (e.g. 2=20G), or max: all the room the others
                 leave on the disk; its filesystem follows, resized on a copy beside <dest>;
                 the partitions after it move (repeatable)
  --disk-size S  the virtual disk's size (default: the source's, or what the layout needs)
  --machine H    also write the virtual machine for hypervisor H around the disk: a .vmx
                 (vmware), .vbox (virtualbox), .ps1 that creates it (hyperv), domain .xml
                 (libvirt) or .ovf with its manifest (ovf). <dest> names the disk or the
                 definition (a .vmx, .vbox, .ps1, .xml or .ovf <dest> implies --machine);
                 an .ova <dest> packs an OVF machine into one file
  --name NAME    the machine's name (default: from <dest>)
  --cpus N       virtual CPUs (default 2)
  --memory SIZE  memory (default by the system found on the disk, e.g. 2G Linux, 4G Windows)
  --firmware F   bios or uefi (default: uefi when an EFI System partition holds a
                 bootloader, else bios)
  --controller C the disk controller (default by hypervisor and system)
  --nic MODEL    the network adapter, in the hypervisor's words (e1000e, vmxnet3, virtio...)
  --thick        preallocate the whole disk where the format allows
  --compress     compress data clusters (qcow2)
  --verify       read the written disk back and check every chunk against what was read;
                 a disk that fails is removed
  --json         NDJSON events on stdout: plan, progress, done, error
  --throttle R   read at most R per second (e.g. 50M), to spare a machine in use
  --force        replace <dest> if it exists`;

export const VERIFY_HELP = `usage: ferry verify <source> <image> [--all-blocks] [--json]

Checks that a virtual disk holds what a conversion of <source> copies: the blocks its
filesystems use (every block with --all-blocks), compared chunk by chunk. Reads both,
writes nothing. Exit status 1 names the first place that differs. An image converted with
--partitions, --resize or --disk-size differs by design: use convert --verify for those.

  --all-blocks   compare every block, for an image converted with --all-blocks
  --json         NDJSON events on stdout: plan, progress, done, error`;

export const CONSOLE_HELP = `usage: ferry console [--host 127.0.0.1] [--port 0] [--open]

Serves the Ferry app to a web browser: the same wizard as the desktop app, running on this
machine's engine. Prints the address to open, with a one-time token that is its password.
Runs until Ctrl-C, which cancels running jobs.

  --host ADDR    listen on ADDR (default 127.0.0.1, this machine only); another address lets
                 anyone who can reach it and has the token read this machine's disks
  --port N       listen on port N (default 0: any free port)
  --open         open the address in the default browser`;
