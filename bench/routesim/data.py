"""The public data the evaluation reads at run time: AlpacaEval prompts, answers and judge
verdicts, Alpaca-GPT4 pairs, and the Azure LLM inference trace."""
import csv, datetime, json, os

# Model pairs: (small model, large model, annotator). Both verdicts of a pair come from the
# same judge against the same reference, so they are comparable per prompt.
PAIRS = {
    'llama2-7b/gpt4': ('llama-2-7b-chat-hf', 'gpt4', 'alpaca_eval_gpt4'),
    'alpaca-7b/gpt4': ('alpaca-7b', 'gpt4', 'alpaca_eval_gpt4'),
    'mixtral/gpt4': ('Mixtral-8x7B-Instruct-v0.1', 'gpt4', 'alpaca_eval_cot_gpt4_turbo_fn'),
}


def available(data):
    return all(os.path.isdir(os.path.join(data, d)) for d in ('alpaca_eval', 'alpaca', 'azure_llm_trace'))


def verdicts(data, annotator, model, prompts):
    """Judge verdict per prompt: win 1, loss 0, draw (0 or 1.5 in the files) or no label 0.5."""
    out = []
    path = os.path.join(data, 'alpaca_eval', 'annotations', annotator, model + '.jsonl')
    for k, line in enumerate(open(path)):
        row = json.loads(line)
        if row['instruction'] != prompts[k]:
            raise SystemExit('route_sim: %s row %d is not prompt %d' % (path, k, k))
        p = row['preference']
        out.append(0.5 if p in (None, 0, 1.5) else float(p) - 1.0)
    return out


def outputs(data, model):
    return [o['output'] for o in json.load(open(os.path.join(data, 'alpaca_eval', model + '.model_outputs.json')))]


def load(data):
    prompts = [o['instruction'] for o in json.load(open(os.path.join(data, 'alpaca_eval', 'gpt4.model_outputs.json')))]
    pairs = {}
    for name, (small, large, annotator) in PAIRS.items():
        pairs[name] = {
            'small': small, 'large': large, 'annotator': annotator,
            'qs': verdicts(data, annotator, small, prompts), 'ql': verdicts(data, annotator, large, prompts),
            'out_s': outputs(data, small), 'out_l': outputs(data, large),
        }
    alpaca = json.load(open(os.path.join(data, 'alpaca', 'alpaca_gpt4_en_demo_1k.json')))
    alpaca = [((p['instruction'] + ('\n' + p['input'] if p['input'] else '')), p['output']) for p in alpaca]
    rows = list(csv.DictReader(open(os.path.join(data, 'azure_llm_trace', 'AzureLLMInferenceTrace_conv.csv'))))

    def ts(s):
        return datetime.datetime.strptime(s[:26], '%Y-%m-%d %H:%M:%S.%f').timestamp()
    t0 = ts(rows[0]['TIMESTAMP'])
    trace = [(ts(r['TIMESTAMP']) - t0, int(r['ContextTokens']), int(r['GeneratedTokens'])) for r in rows]
    return prompts, pairs, alpaca, trace
