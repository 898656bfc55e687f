// The words of the demo: questions, answers, documents and comments the generated traces carry.
import type { Rng } from './random.ts';

export interface SupportTopic {
  question: string;
  tools: string[];
  answer: string;
  /** The knowledge-base article that answers it (the retriever's best hit). */
  article?: string;
}

const PRODUCTS = ['trail running shoes', 'rain jacket', 'espresso grinder', 'standing desk', 'noise-cancelling headphones', 'yoga mat', 'backpack', 'smart thermostat'];
const COUNTRIES = ['Canada', 'Norway', 'Japan', 'Brazil', 'Portugal', 'New Zealand'];

export function supportTopic(rng: Rng): SupportTopic {
  const order = `#${rng.int(100000, 999999)}`;
  const product = rng.pick(PRODUCTS);
  const topics: SupportTopic[] = [
    {
      question: `Where is my order ${order}? It was supposed to arrive ${rng.pick(['yesterday', 'on Monday', 'last week'])}.`,
      tools: ['lookup_order'],
      answer: `Your order ${order} left our warehouse and is with the carrier; the latest scan shows it arriving within 2 business days. Here is the tracking link: https://track.example.com/${order.slice(1)}.`,
      article: 'shipping-times',
    },
    {
      question: `How do I return the ${product} I bought last week?`,
      tools: ['get_return_policy', 'create_return_label'],
      answer: `You can return the ${product} within 30 days. I created a prepaid return label and emailed it to you; drop the parcel at any carrier point and the refund follows within 5 business days.`,
      article: 'returns-and-refunds',
    },
    {
      question: `I was charged twice for order ${order}.`,
      tools: ['lookup_order', 'get_payment_history'],
      answer: `I can see two authorisations for order ${order}; the second one is a pending hold that your bank releases within 3-5 days. You were only charged once.`,
      article: 'payment-holds',
    },
    {
      question: `Can I change the shipping address on order ${order}?`,
      tools: ['lookup_order', 'update_shipping_address'],
      answer: `Done: order ${order} has not shipped yet, so I updated the address. You will get a confirmation email in a minute.`,
      article: 'order-changes',
    },
    {
      question: `Do you ship to ${rng.pick(COUNTRIES)}?`,
      tools: [],
      answer: 'Yes, we ship there with tracked delivery in 5-8 business days; duties are calculated at checkout.',
      article: 'international-shipping',
    },
    {
      question: `My discount code ${rng.pick(['SPRING15', 'WELCOME10', 'FREESHIP', 'VIP20'])} doesn't work.`,
      tools: ['validate_coupon'],
      answer: 'That code expired at the end of last month, but I applied a 10% courtesy discount to your cart instead.',
      article: 'discount-codes',
    },
    {
      question: `Is the ${product} back in stock?`,
      tools: ['check_inventory'],
      answer: `The ${product} is back in stock in most sizes; the warehouse restocked it this morning.`,
      article: 'stock-and-restocks',
    },
  ];
  return rng.pick(topics);
}

export const FOLLOW_UPS: SupportTopic[] = [
  { question: 'Thanks! How long does the refund take?', tools: [], answer: 'Refunds reach your card 5-10 business days after we receive the parcel.' },
  { question: 'Can you send me the tracking link again?', tools: ['lookup_order'], answer: 'Sure, here it is again: https://track.example.com/latest. It updates every few hours.' },
  { question: 'OK, please go ahead.', tools: [], answer: 'All set. Is there anything else I can help with?' },
  { question: "That didn't help. Can I talk to a human?", tools: ['escalate_to_human'], answer: 'I opened a ticket and a colleague will reply by email within 4 hours.' },
  { question: 'Will I get an email confirmation?', tools: [], answer: 'Yes, a confirmation is on its way to the address on your account.' },
];

export const SUPPORT_SYSTEM = [
  'You are the customer support assistant of an online outdoor and home store. Be friendly and concise.',
  'Use the tools to look up orders, payments and policies; never guess order details. Quote the knowledge-base articles you used.',
];
export const SUPPORT_SYSTEM_V2_EXTRA = [
  'Before answering, restate the customer problem in one sentence and check every order fact with a tool call.',
  'Follow the tone guide: empathetic opening, numbered next steps, a closing question. Offer an escalation when the customer is unhappy.',
  'Policies: returns 30 days, refunds 5-10 business days, price match within 14 days, free shipping over $50.',
];

export const KB_ARTICLES = ['returns-and-refunds', 'shipping-times', 'payment-holds', 'order-changes', 'discount-codes', 'international-shipping', 'stock-and-restocks', 'warranty'];

/** Search questions and the documentation page that answers each. */
const SEARCH_QUERIES: Array<[string, string]> = [
  ['how do I rotate an API key without downtime', 'api-keys'],
  ['rate limits for the batch endpoint', 'rate-limits'],
  ['webhook retries and backoff', 'webhooks'],
  ['difference between projects and workspaces', 'projects'],
  ['export traces to S3', 'exports'],
  ['SSO with Okta setup', 'sso'],
  ['delete a user and their data (GDPR)', 'privacy'],
  ['pricing for the team plan', 'billing'],
  ['how to self-host behind a proxy', 'self-hosting'],
  ['python client timeout settings', 'python-client'],
  ['pagination cursor expired error', 'pagination'],
  ['set up alerts on error rate', 'alerts'],
  ['what counts as a billable request', 'billing'],
  ['change the retention period', 'retention'],
  ['connect a custom domain', 'custom-domains'],
];

export function searchQuery(rng: Rng): { query: string; page: string } {
  const [query, page] = rng.pick(SEARCH_QUERIES);
  return { query, page };
}

export function searchAnswer(query: string, sources: string[]): string {
  return `The ${sources[0]} guide answers "${query}" step by step [1]; ${sources
    .slice(1)
    .map((s, i) => `the ${s} page [${i + 2}]`)
    .join(' and ')} has related settings. Most teams are done in a few minutes.`;
}

export const DOC_PAGES = [
  'api-keys',
  'rate-limits',
  'webhooks',
  'projects',
  'exports',
  'sso',
  'privacy',
  'billing',
  'self-hosting',
  'python-client',
  'pagination',
  'alerts',
  'retention',
  'custom-domains',
];

const DOCUMENTS = [
  'Q3 board meeting notes',
  'Incident postmortem: checkout outage',
  'Customer interview: Acme Corp',
  'Vendor contract: logistics partner',
  'Engineering RFC: event sourcing for orders',
  'Weekly support digest',
  'Competitor pricing analysis',
  'Hiring plan H2',
  'Security review: payment service',
];

export function documentTitle(rng: Rng): string {
  return rng.pick(DOCUMENTS);
}

export function chunkSummary(title: string, i: number): string {
  return `Part ${i + 1} of "${title}": the main points are the current status, the open risks and who owns the next steps.`;
}

export function finalSummary(title: string, chunks: number): string {
  return `Summary of "${title}" (${chunks} sections): decisions were taken on scope and budget; two risks remain open; owners and dates are listed for every action item.`;
}

export const GOOD_COMMENTS = ['Spot on, thanks!', 'Fast and clear.', 'Exactly what I needed.', 'Solved my problem.', 'Great summary.'];
export const BAD_COMMENTS = [
  'Wrong order number.',
  'Too long, just give me the answer.',
  'It ignored my question.',
  'The link did not work.',
  'Made up a policy that does not exist.',
  'Took forever to answer.',
];
