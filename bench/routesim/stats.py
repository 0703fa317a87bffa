"""Mean and 95% confidence interval over seeds (Student t, n - 1 degrees of freedom)."""
import math

T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
       10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 19: 2.093, 29: 2.045}


def t95(df):
    if df in T95:
        return T95[df]
    below = [k for k in T95 if k <= df]
    return T95[max(below)] if below else 1.96


def mean_ci(xs):
    """(mean, half-width of the 95% interval); half-width nan for one value."""
    n = len(xs)
    m = sum(xs) / n
    if n < 2:
        return m, float('nan')
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    return m, t95(n - 1) * sd / math.sqrt(n)


def fmt(xs, digits=3):
    m, h = mean_ci(xs)
    if h != h:
        return '%.*f' % (digits, m)
    return '%.*f ± %.*f' % (digits, m, digits, h)
