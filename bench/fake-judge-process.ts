// The fake judge of api/test/helpers in its own process, so bench/evaluations.ts measures
// Spanlens's CPU without the judge's. Sends {url}, answers 'calls' with {calls: n}.
import { startFakeJudge } from '../api/test/helpers/fake-judge.ts';

const judge = await startFakeJudge();
process.send!({ url: judge.url });
process.on('message', (m) => {
  if (m === 'calls') process.send!({ calls: judge.calls.length });
  if (m === 'reset') judge.calls.length = 0;
  if (m === 'close') void judge.close().then(() => process.exit(0));
});
