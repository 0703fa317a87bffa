"""Baseline routers that do not go through the extension (pure Python, no numpy on Debian's
python3): a RouteLLM-style threshold router and the share-matched random router."""
import math


class Ridge:
    """Bayesian ridge regression y ~ w.x kept as A^-1 and b (Sherman-Morrison updates)."""

    def __init__(self, d, reg=1.0):
        self.d = d
        self.ainv = [[(1.0 / reg if r == c else 0.0) for c in range(d)] for r in range(d)]
        self.b = [0.0] * d
        self.n = 0
        self.w = [0.0] * d  # A^-1 b, refreshed after each update

    def update(self, x, y):
        ax = [sum(row[c] * x[c] for c in range(self.d)) for row in self.ainv]
        den = 1.0 + sum(x[r] * ax[r] for r in range(self.d))
        for r in range(self.d):
            f = ax[r] / den
            row = self.ainv[r]
            for c in range(self.d):
                row[c] -= f * ax[c]
        for r in range(self.d):
            self.b[r] += y * x[r]
        self.n += 1
        self.w = [sum(a * b for a, b in zip(row, self.b)) for row in self.ainv]

    def predict(self, x):
        return sum(wi * xi for wi, xi in zip(self.w, x))


def quantile(xs, p):
    xs = sorted(xs)
    if not xs:
        return 0.0
    k = min(len(xs) - 1, max(0, int(math.floor(p * len(xs)))))
    return xs[k]


class ThresholdRouter:
    """RouteLLM-style: predict the large model's quality gain over the small one from the
    prompt alone (no examples), send to the large model when the gain is above a cut
    calibrated so that `share` of recent requests go large. Two ways to learn:
      'bandit': one ridge per model on the reward of the model it served (the same feedback
          every learner in the evaluation gets);
      'full': one ridge on the gain, fitted on both models' outcomes for every learning
          request (more information than any bandit learner gets, as RouteLLM trains on
          preference data)."""

    def __init__(self, d, share, mode, rng, recalibrate=250, window=1000):
        self.mode, self.share, self.rng = mode, share, rng
        self.arms = {'small': Ridge(d), 'large': Ridge(d)}
        self.gap = Ridge(d)
        self.cut = 0.0
        self.recent = []
        self.recalibrate, self.window, self.since = recalibrate, window, 0

    def gain(self, x):
        if self.mode == 'full':
            return self.gap.predict(x)
        return self.arms['large'].predict(x) - self.arms['small'].predict(x)

    def decide(self, x):
        g = self.gain(x) + 1e-9 * self.rng.random()  # seeded tie split
        self.recent.append(x)
        if len(self.recent) > self.window:
            self.recent.pop(0)
        self.since += 1
        if self.since >= self.recalibrate:
            self.calibrate()
        return 'large' if g > self.cut else 'small'

    def calibrate(self):
        self.since = 0
        gs = [self.gain(x) + 1e-9 * self.rng.random() for x in self.recent]
        self.cut = quantile(gs, 1 - self.share)

    def feedback(self, x, arm, reward):
        if self.mode == 'bandit':
            self.arms[arm].update(x, reward)

    def full_feedback(self, x, small_reward, large_reward):
        self.gap.update(x, large_reward - small_reward)
