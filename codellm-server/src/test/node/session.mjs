// A scripted session with the official OpenAI Node SDK against codellm serve: completions, chat,
// streaming, embeddings and errors. Usage: node session.mjs BASE_URL API_KEY. Prints one JSON
// object with what the SDK returned; NodeSdkTest checks it against the model's expected answers.
import OpenAI from 'openai';

const [baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30000 });
const out = {};

const models = await client.models.list();
out.models = models.data.map((m) => m.id);

const c = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'def add(a, b):', max_tokens: 200, temperature: 0 });
out.completion = { text: c.choices[0].text, finish: c.choices[0].finish_reason, usage: c.usage, model: c.model };

const chat = await client.chat.completions.create({
  model: 'gpt-4o', messages: [{ role: 'system', content: 'You write Python.' }, { role: 'user', content: 'Reverse a list.' }], max_tokens: 200,
});
out.chat = { text: chat.choices[0].message.content, role: chat.choices[0].message.role, finish: chat.choices[0].finish_reason, usage: chat.usage };

let text = '', chunks = 0, usage = null, firstRole = null;
const s = await client.chat.completions.create({
  model: 'gpt-4o', messages: [{ role: 'user', content: 'stream please' }], stream: true, stream_options: { include_usage: true },
});
for await (const chunk of s) {
  chunks++;
  if (chunk.usage) usage = chunk.usage;
  for (const choice of chunk.choices) {
    if (firstRole === null && choice.delta.role) firstRole = choice.delta.role;
    if (choice.delta.content) text += choice.delta.content;
  }
}
out.chatStream = { text, chunks, usage, firstRole };

let ctext = '';
const cs = await client.completions.create({ model: 'x', prompt: 'stream this', max_tokens: 100, stream: true });
for await (const chunk of cs) ctext += chunk.choices[0]?.text ?? '';
out.completionStream = { text: ctext };

// the SDK asks for base64 by default and decodes it to floats
const e = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['def f(): pass', 'class A: ...'] });
out.embeddings = { vectors: e.data.map((d) => Array.from(d.embedding)), indexes: e.data.map((d) => d.index), usage: e.usage };

out.errors = {};
try {
  await new OpenAI({ baseURL, apiKey: 'wrong', maxRetries: 0 }).models.list();
} catch (err) {
  out.errors.wrongKey = { status: err.status, kind: err.constructor.name };
}
try {
  await client.completions.create({ model: 'x', prompt: 'x', temperature: 5 });
} catch (err) {
  out.errors.badRequest = { status: err.status, kind: err.constructor.name, param: err.param, message: err.message };
}
try {
  await client.embeddings.create({ model: 'x', input: '' });
} catch (err) {
  out.errors.emptyEmbedding = { status: err.status, kind: err.constructor.name };
}
console.log(JSON.stringify(out));
