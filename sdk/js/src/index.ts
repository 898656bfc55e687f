/**
 * Spanlens SDK: two lines to trace an LLM app.
 *
 *   import { init, wrapOpenAI } from '@spanlens/sdk';
 *   init({ apiKey: process.env.SPANLENS_API_KEY });
 *   const openai = wrapOpenAI(new OpenAI());
 */
export { init, flush, shutdown, stats, spanlensProcessor, config } from './sdk.ts';
export type { InitOptions, ResolvedConfig } from './config.ts';
export { wrapOpenAI } from './openai.ts';
export { wrapAnthropic } from './anthropic.ts';
export { observe, type ObserveOptions, type ObservedKind } from './observe.ts';
export { setContext, withContext, currentContext, type SpanlensContext } from './context.ts';
export { feedback, currentTraceId, currentSpanId, type FeedbackInput } from './feedback.ts';
export { SpanlensSpanProcessor, type ProcessorStats } from './processor.ts';
