import { BUILT_IN_TEMPLATES } from '../api/src/evaluations/templates.ts';
for (const [name, t] of Object.entries(BUILT_IN_TEMPLATES)) {
  const o = t.output as { type: string; min?: number; max?: number; categories?: string[] };
  const out = o.type === 'numeric' ? `numeric, ${o.min} to ${o.max}` : o.type === 'boolean' ? 'boolean' : `categorical: ${o.categories!.join(', ')}`;
  console.log(`### \`${name}\` (${out})\n\n${t.description}.\n\n\`\`\`text\n${t.template}\n\`\`\`\n`);
}
