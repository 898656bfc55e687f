// A small support bot traced with @spanlens/sdk, against a running Spanlens (`npm start`).
//
//   SPANLENS_API_KEY=sl_... OPENAI_API_KEY=sk-... node --import tsx examples/support-bot/app.ts "Where is my order?"
//
// OPENAI_BASE_URL points it at any OpenAI-compatible server (a local model, a proxy).
import OpenAI from 'openai';
import { currentTraceId, feedback, init, observe, shutdown, withContext, wrapOpenAI } from '@spanlens/sdk';

init({ serviceName: 'support-bot', environment: 'dev', release: '0.1.0' });
const openai = wrapOpenAI(new OpenAI());

const FAQ = ['Orders ship within 2 business days; tracking links arrive by email.', 'Refunds are issued to the original payment method within 5 days.'];

const retrieve = observe(
  'retrieve-faq',
  async (question: string) => {
    const words = question.toLowerCase().split(/\W+/);
    return FAQ.filter((entry) => words.some((w) => w.length > 3 && entry.toLowerCase().includes(w)));
  },
  { kind: 'retriever' },
);

const answer = observe(
  'answer',
  async (question: string) => {
    const context = await retrieve(question);
    const reply = await openai.chat.completions.create({
      model: process.env.MODEL ?? 'gpt-4o-mini',
      messages: [
        { role: 'system', content: `Answer briefly using only this context:\n${context.join('\n') || '(none)'}` },
        { role: 'user', content: question },
      ],
    });
    return { text: reply.choices[0]?.message.content ?? '', traceId: currentTraceId() };
  },
  { kind: 'agent' },
);

const question = process.argv[2] ?? 'Where is my order?';
const result = await withContext({ userId: 'demo-user', sessionId: `cli-${process.pid}` }, () => answer(question));
console.log(result.text);
// The front end would send this when the user clicks thumbs up.
if (result.traceId) await feedback({ traceId: result.traceId, name: 'helpful', value: true });
await shutdown();
console.log(`trace ${result.traceId}: see it at http://127.0.0.1:3000/`);
