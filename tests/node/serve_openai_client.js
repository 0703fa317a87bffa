// The `openai` npm package's client (a client no one here wrote) against `iccache serve`:
// node serve_openai_client.js BASE_URL prints one JSON line with what it saw. Run by
// tests/e2e/serve_test.py, which starts the proxy in front of examples/sim_server.py.
const OpenAI = require('openai');

async function main() {
  const client = new OpenAI({ baseURL: process.argv[2], apiKey: 'unused', maxRetries: 0 });
  const question = 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?';
  const { data, response } = await client.chat.completions
    .create({ model: 'anything', messages: [{ role: 'user', content: question }] })
    .withResponse();
  const stream = await client.chat.completions.create({
    model: 'anything', stream: true, messages: [{ role: 'user', content: question }],
  });
  let streamed = '';
  let chunks = 0;
  for await (const chunk of stream) {
    chunks += 1;
    streamed += chunk.choices[0]?.delta?.content ?? '';
  }
  const completion = await client.completions.create({ model: 'anything', prompt: question });
  const models = [];
  for await (const m of client.models.list()) models.push(m.id);
  console.log(JSON.stringify({
    answer: data.choices[0].message.content,
    decision: response.headers.get('x-iccache-decision'),
    model: response.headers.get('x-iccache-model'),
    streamed, chunks, completion: completion.choices[0].text, models,
  }));
}

main().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
