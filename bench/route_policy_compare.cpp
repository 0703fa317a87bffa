// Measures LinUCB against linear Thompson sampling on the seeded stationary problem of the
// tests (tests/engine/route_test_util.h), over a grid of exploration scales and 20 seeds:
// mean cumulative regret after 5,000 decisions and the share of better-arm picks in
// decisions 2,000..2,999, with rewards applied at once (delay 1) and in batches of 200
// decisions (delay 200: feedback arrives late, as it does from a serving system).
// docs/routing.md quotes its output.
#include <cstdio>
#include <vector>

#include "../tests/engine/route_test_util.h"
#include "route/router.h"

using namespace iccache::route;

int main() {
  std::printf("policy    scale  delay  regret@5000  best-arm share (2000..2999)\n");
  for (int delay : {1, 200})
  for (Policy p : {Policy::kLinUcb, Policy::kThompson}) {
    for (double scale : {0.1, 0.25, 0.5, 1.0, 2.0}) {
      double regret_sum = 0, share_sum = 0;
      const int seeds = 20;
      for (int s = 1; s <= seeds; ++s) {
        RouterConfig c;
        c.arms = {{"small", 0}, {"large", 0}};
        c.policy = p;
        c.exploration = scale;
        c.seed = s;
        Router r(c);
        testing::Problem prob(1000 + s);
        double regret = 0;
        int best = 0;
        struct Pending { Features x; int arm; double reward; };
        std::vector<Pending> pending;
        for (int i = 0; i < 5000; ++i) {
          Features x = prob.context();
          Decision d = r.decide(x, 0, i);
          const int b = testing::Problem::best(x);
          regret += testing::Problem::expected(b, x) - testing::Problem::expected(d.arm, x);
          if (i >= 2000 && i < 3000) best += d.arm == b;
          pending.push_back({x, d.arm, prob.reward(d.arm, x)});
          if (static_cast<int>(pending.size()) >= delay) {
            for (const Pending& q : pending) r.learn(q.arm, q.x, q.reward);
            pending.clear();
          }
        }
        regret_sum += regret;
        share_sum += best / 1000.0;
      }
      std::printf("%-9s %5.2f  %5d  %11.1f  %6.3f\n", p == Policy::kLinUcb ? "linucb" : "thompson",
                  scale, delay, regret_sum / seeds, share_sum / seeds);
    }
  }
}
