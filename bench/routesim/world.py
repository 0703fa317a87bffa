"""The hidden world: what a served answer is judged, given the model and the examples shown.

No model here generates text. The large model's verdict on a prompt is its real judge
verdict. The small model's verdict is its real verdict, changed by the examples it is shown
according to an assumed effect (the only invented part of the evaluation):

  relevance of example e to request r:  h = clamp((s - s0) / (s1 - s0), 0, 1), s = the
      cosine similarity MATCH reports, s0/s1 = 20th/95th percentiles of the best similarity
      over the scored requests;
  an example helps with probability lift * h * v_e, where v_e is the real judge verdict of
      the example's own answer (1 won, 0.5 draw, 0 lost; Alpaca-GPT4 pairs count as won);
      P(help) = 1 - prod(1 - lift * h * v_e); helped, the small model's verdict becomes
      max(its own, the large model's);
  world 'hurt' adds: an example whose answer lost (v_e = 0) misleads with probability
      harm * h; P(misled) = 1 - prod(1 - harm * h); misled, the verdict is 0 (a loss),
      checked before help;
  world 'lift0': examples do nothing (lift 0);
  world 'strong': examples help twice as much (lift 0.7): a sensitivity check.

Coins are common random numbers: request n draws u_help[n] and u_harm[n] once, so every
router faces the same luck and differs only in what it decides."""
LIFT = 0.35
STRONG_LIFT = 0.7
HARM = 0.6


class World:
    def __init__(self, name, qs, ql, verdict_of, s0, s1):
        if name not in ('lift', 'lift0', 'hurt', 'strong'):
            raise ValueError('world must be lift, lift0, hurt or strong')
        self.name, self.qs, self.ql, self.verdict_of, self.s0, self.s1 = name, qs, ql, verdict_of, s0, s1
        self.lift = {'lift0': 0.0, 'strong': STRONG_LIFT}.get(name, LIFT)
        self.harm = HARM if name == 'hurt' else 0.0

    def relevance(self, s):
        return min(1.0, max(0.0, (s - self.s0) / (self.s1 - self.s0)))

    def effect(self, shown):
        """(P(help), P(misled)) of the examples shown: [(example id, similarity)]."""
        keep_help = keep_harm = 1.0
        for e, s in shown:
            h, v = self.relevance(s), self.verdict_of[e]
            keep_help *= 1 - self.lift * h * v
            if v == 0:
                keep_harm *= 1 - self.harm * h
        return 1 - keep_help, 1 - keep_harm

    def expected_small(self, i, shown):
        p_help, p_harm = self.effect(shown)
        return (1 - p_harm) * (p_help * max(self.qs[i], self.ql[i]) + (1 - p_help) * self.qs[i])

    def small(self, i, shown, u_help, u_harm):
        """shown: [(example id, similarity)] actually prepended."""
        p_help, p_harm = self.effect(shown)
        if u_harm < p_harm:
            return 0.0
        if u_help < p_help:
            return max(self.qs[i], self.ql[i])
        return self.qs[i]

    def large(self, i):
        return self.ql[i]

    def verbatim(self, i, e, s):
        """A semantic-cache hit returns another request's answer verbatim. Assumed: it is
        judged like the example's own answer only when the requests are near duplicates
        (cosine >= 0.95); otherwise it answers a different question and loses (0)."""
        return self.verdict_of[e] if s >= 0.95 else 0.0
