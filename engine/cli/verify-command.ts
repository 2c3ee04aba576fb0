import { formatSize } from '../../shared/units.js';
import { verifyImage } from '../jobs/verify.js';
import { expectPositionals, parseCommandArgs } from './args.js';
import { cancellable } from './cancellable.js';
import { VERIFY_HELP } from './help.js';
import { jobProgressView } from './progress-view.js';
import type { Terminal } from './terminal.js';

export async function verifyCommand(argv: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommandArgs('verify', argv, {
    'all-blocks': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    terminal.out(VERIFY_HELP);
    return 0;
  }
  const [source, image] = expectPositionals('verify', positionals, ['source', 'image']);
  const json = values.json ?? false;
  const view = jobProgressView(terminal, json);
  try {
    const { bytes } = await cancellable((signal) =>
      verifyImage(
        { source: source!, image: image!, allBlocks: values['all-blocks'] ?? false },
        {
          onPlan: (planned) =>
            json
              ? terminal.out(JSON.stringify({ type: 'plan', bytes: planned }))
              : terminal.err(
                  `Comparing ${image} with ${source}: ${formatSize(planned)} of each, read back`,
                ),
          onProgress: (progress) => view.update(progress),
        },
        signal,
      ),
    );
    view.end();
    if (json) terminal.out(JSON.stringify({ type: 'done', path: image, bytes }));
    else terminal.err(`Verified ${image}: ${formatSize(bytes)} identical to ${source}`);
    return 0;
  } catch (error) {
    view.end();
    throw error;
  }
}
