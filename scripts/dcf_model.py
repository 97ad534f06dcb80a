#!/usr/bin/env python3
"""Independent model of docs/design/fss-core.md "DCF" (the half-tree DCF) from its text, with AES
from the `cryptography` package: prints the golden values of tests/fss/golden_test.cpp's DCF case."""
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

M64 = (1 << 64) - 1


def to_bytes(lo, hi):
    return lo.to_bytes(8, "little") + hi.to_bytes(8, "little")


def from_bytes(b):
    return int.from_bytes(b[:8], "little"), int.from_bytes(b[8:], "little")


def aes(key, blk):
    enc = Cipher(algorithms.AES(to_bytes(*key)), modes.ECB()).encryptor()
    return from_bytes(enc.update(to_bytes(*blk)) + enc.finalize())


def fixed_key(j):
    return ((0x9E3779B97F4A7C15 * (j + 1)) & M64, 0x7365636966657221)


def xor(a, b):
    return (a[0] ^ b[0], a[1] ^ b[1])


def G(j, s):
    return xor(aes(fixed_key(j), s), s)


def sigma(x):
    return (x[1], x[0] ^ x[1])


def H(s):
    return G(0, sigma(s))


def convert_vec(blk, m, L):
    mask = (1 << m) - 1
    out = [blk[1] & mask]
    for j in range(1, L):
        k = (j + 1) // 2
        c = G(4, xor(blk, (k, 0)))
        out.append((c[0] if j % 2 == 1 else c[1]) & mask)
    return out


def value(s, d, m, L):
    if L == 1:
        v = G(2, s)
        return convert_vec((v[1], v[0]) if d == 1 else v, m, L)
    return convert_vec(G(2 + d, s), m, L)


def gen(n, m, L, alpha, beta, a_draw, b_draw):
    mask = (1 << m) - 1
    sgn = lambda t, v: (-v if t else v) & mask
    delta = (b_draw[0] | 1, b_draw[1])
    s = [a_draw, xor(a_draw, delta)]
    roots = list(s)
    valpha = [0] * L
    cws, cwvs = [], []
    for i in range(n):
        a = (alpha >> (n - 1 - i)) & 1
        keep, lose = a, 1 - a
        t = [s[0][0] & 1, s[1][0] & 1]
        h = [H(s[0]), H(s[1])]
        v = [[value(s[b], d, m, L) for d in (0, 1)] for b in (0, 1)]
        cw = xor(xor(h[0], h[1]), delta if lose == 1 else (0, 0))
        cwv = []
        for j in range(L):
            c = sgn(t[1], v[1][lose][j] - v[0][lose][j] - valpha[j])
            if lose == 0:
                c = (c + sgn(t[1], beta[j])) & mask
            cwv.append(c)
            valpha[j] = (valpha[j] - v[1][keep][j] + v[0][keep][j] + sgn(t[1], c)) & mask
        nxt = []
        for b in (0, 1):
            c = h[b]
            if keep:
                c = xor(c, s[b])
            if t[b]:
                c = xor(c, cw)
            nxt.append(c)
        s = nxt
        cws.append(cw)
        cwvs.append(cwv)
    c0, c1 = value(s[0], 0, m, L), value(s[1], 0, m, L)
    t1 = s[1][0] & 1
    fin = [sgn(t1, c1[j] - c0[j] - valpha[j]) for j in range(L)]
    return roots, cws, cwvs, fin


def evaluate(b, root, cws, cwvs, fin, n, m, L, x):
    mask = (1 << m) - 1
    s = root
    V = [0] * L
    for i in range(n):
        c = (x >> (n - 1 - i)) & 1
        t = s[0] & 1
        v = value(s, c, m, L)
        V = [(V[j] + v[j] + (cwvs[i][j] if t else 0)) & M64 for j in range(L)]
        nxt = H(s)
        if c:
            nxt = xor(nxt, s)
        if t:
            nxt = xor(nxt, cws[i])
        s = nxt
    t = s[0] & 1
    v = value(s, 0, m, L)
    V = [(V[j] + v[j] + (fin[j] if t else 0)) for j in range(L)]
    return [(-y if b else y) & mask for y in V]


if __name__ == "__main__":
    seed = (0x0123456789ABCDEF, 0xFEDCBA9876543210)
    n, m, L = 16, 16, 3
    alpha = [0x1234, 0, 0xFFFF]
    beta = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    keys = []
    for k in range(3):
        a_draw = aes(seed, (2 * k, 0))
        b_draw = aes(seed, (2 * k + 1, 0))
        keys.append(gen(n, m, L, alpha[k], beta[3 * k:3 * k + 3], a_draw, b_draw))
    print("k1.cw_final[2] = 0x%x" % keys[0][3][2])
    roots, cws, cwvs, fin = keys[0]
    y0 = evaluate(0, roots[0], cws, cwvs, fin, n, m, L, 0x1233)
    y1 = evaluate(1, roots[1], cws, cwvs, fin, n, m, L, 0x1233)
    print("y0[0] = 0x%x" % y0[0], "sum", [(a + b) & 0xFFFF for a, b in zip(y0, y1)])
