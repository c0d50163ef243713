#!/usr/bin/python3
"""Independent numpy restatement of ggml's reference quantizers (ggml-quants.c, quantize_row_*_ref:
Q8_0, Q4_0, Q4_K, Q5_K, Q6_K), for QuantizeBitExactTest.

Usage: quant_reference.py TYPE ROW_LEN IN.f32 OUT.bin
IN.f32: float32 little-endian rows; OUT.bin: the encoded blocks, row after row.

Written from the C source's arithmetic, in float32 scalars in the same order (ggml-base is built
without FMA contraction), so the blocks are expected to match bit for bit. Every constant is an
np.float32 and every integer is converted before it meets a float: numpy 1.x would otherwise
promote to float64. Slow (plain loops) but only small test matrices go through it.
"""
import struct
import sys
import numpy as np

F = np.float32
MAGIC = F(12582912.0)


def nearest_int(v):
    """ggml's nearest_int: the 1.5*2^23 trick, mantissa bits minus 2^22."""
    b = np.array([F(v) + MAGIC], dtype=np.float32).view(np.int32)[0]
    return int(b & 0x007fffff) - 0x00400000


def roundf(v):
    """C roundf: halves away from zero (exact in float64 for a float32 value)."""
    v = float(v)
    return int(np.floor(abs(v) + 0.5)) * (1 if v >= 0 else -1)


def c_int8(v):
    """C's float -> int8_t on x86-64: cvttss2si (NaN/out of range -> 0x80000000), low byte."""
    v = float(v)
    n = -2 ** 31 if (v != v or v >= 2.0 ** 31 or v < -2.0 ** 31) else int(v)
    n &= 0xFF
    return n - 256 if n >= 128 else n


def roundf_float(v):
    """C roundf keeping infinities and NaN."""
    v = float(v)
    if v != v or v in (float("inf"), float("-inf")):
        return v
    return float(np.floor(abs(v) + 0.5)) * (1.0 if v >= 0 else -1.0)


def fp16(v):
    return np.array([v], dtype=np.float32).astype(np.float16)


def fp16_bytes(v):
    return fp16(v).tobytes()


def fp16_value(v):
    return F(fp16(v).astype(np.float32)[0])


def q8_0(x):
    out = bytearray()
    for b in range(0, len(x), 32):
        amax = F(0)
        for j in range(32):
            amax = max(amax, abs(x[b + j]))
        d = amax / F(127)
        iv = F(1) / d if d != 0 else F(0)
        out += fp16_bytes(d)
        out += bytes((c_int8(roundf_float(x[b + j] * iv)) & 0xFF) for j in range(32))
    return out


def q4_0(x):
    out = bytearray()
    for b in range(0, len(x), 32):
        amax, mx = F(0), F(0)
        for j in range(32):
            if amax < abs(x[b + j]):
                amax, mx = abs(x[b + j]), x[b + j]
        d = mx / F(-8)
        iv = F(1) / d if d != 0 else F(0)
        out += fp16_bytes(d)
        for j in range(16):
            a = min(15, c_int8(x[b + j] * iv + F(8.5))) & 0xFF   # MIN(15, (int8_t)(...)) into a uint8_t
            c = min(15, c_int8(x[b + 16 + j] * iv + F(8.5))) & 0xFF
            out.append((a | (c << 4)) & 0xFF)
    return out


def make_qkx2_quants(n, nmax, x, weights, rmin, rdelta, nstep):
    """Returns (scale, -min, L): the asymmetric fit with the weighted squared error search."""
    mn, mx = x[0], x[0]
    sum_w = weights[0]
    sum_x = sum_w * x[0]
    for i in range(1, n):
        if x[i] < mn:
            mn = x[i]
        if x[i] > mx:
            mx = x[i]
        w = weights[i]
        sum_w = sum_w + w
        sum_x = sum_x + w * x[i]
    if mn > 0:
        mn = F(0)
    if mx == mn:
        return F(0), -mn, [0] * n
    iscale = F(nmax) / (mx - mn)
    scale = F(1) / iscale
    L = [0] * n
    best_mad = F(0)
    for i in range(n):
        l = nearest_int(iscale * (x[i] - mn))
        L[i] = max(0, min(nmax, l))
        diff = scale * F(L[i]) + mn - x[i]
        diff = diff * diff
        best_mad = best_mad + weights[i] * diff
    for st in range(nstep + 1):
        iscale = (F(rmin) + F(rdelta) * F(st) + F(nmax)) / (mx - mn)
        sum_l, sum_l2, sum_xl = F(0), F(0), F(0)
        laux = [0] * n
        for i in range(n):
            l = nearest_int(iscale * (x[i] - mn))
            l = max(0, min(nmax, l))
            laux[i] = l
            w = weights[i]
            sum_l = sum_l + w * F(l)
            sum_l2 = sum_l2 + w * F(l) * F(l)
            sum_xl = sum_xl + w * F(l) * x[i]
        D = sum_w * sum_l2 - sum_l * sum_l
        if D > 0:
            this_scale = (sum_w * sum_xl - sum_x * sum_l) / D
            this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D
            if this_min > 0:
                this_min = F(0)
                this_scale = sum_xl / sum_l2
            mad = F(0)
            for i in range(n):
                diff = this_scale * F(laux[i]) + this_min - x[i]
                diff = diff * diff
                mad = mad + weights[i] * diff
            if mad < best_mad:
                L = list(laux)
                best_mad, scale, mn = mad, this_scale, this_min
    return scale, -mn, L


def qx_k(x, nmax, rmin, nstep):
    out = bytearray()
    for b in range(0, len(x), 256):
        xb = x[b:b + 256]
        L = [0] * 256
        scales, mins = [F(0)] * 8, [F(0)] * 8
        max_scale, max_min = F(0), F(0)
        for j in range(8):
            sub = xb[32 * j:32 * j + 32]
            sum_x2 = F(0)
            for l in range(32):
                sum_x2 = sum_x2 + sub[l] * sub[l]
            av_x = np.sqrt(sum_x2 / F(32))
            weights = [av_x + abs(sub[l]) for l in range(32)]
            s, m, Lj = make_qkx2_quants(32, nmax, sub, weights, rmin, F(0.1), nstep)
            scales[j], mins[j] = s, m
            L[32 * j:32 * j + 32] = Lj
            if s > max_scale:
                max_scale = s
            if m > max_min:
                max_min = m
        inv_scale = F(63) / max_scale if max_scale > 0 else F(0)
        inv_min = F(63) / max_min if max_min > 0 else F(0)
        ls = [min(63, nearest_int(inv_scale * scales[j]) & 0xFF) for j in range(8)]
        lm = [min(63, nearest_int(inv_min * mins[j]) & 0xFF) for j in range(8)]
        sc = [0] * 12
        for j in range(8):
            if j < 4:
                sc[j] = ls[j]
                sc[j + 4] = lm[j]
            else:
                sc[j + 4] = (ls[j] & 0xF) | ((lm[j] & 0xF) << 4)
                sc[j - 4] |= (ls[j] >> 4) << 6
                sc[j] |= (lm[j] >> 4) << 6
        d0 = fp16_value(max_scale / F(63))
        dmin0 = fp16_value(max_min / F(63))
        for j in range(8):
            d = d0 * F(ls[j])
            if d == 0:
                continue
            dm = dmin0 * F(lm[j])
            for ii in range(32):
                l = nearest_int((xb[32 * j + ii] + dm) / d)
                L[32 * j + ii] = max(0, min(nmax, l))
        out += fp16_bytes(max_scale / F(63)) + fp16_bytes(max_min / F(63)) + bytes(sc)
        if nmax == 15:
            for j in range(0, 256, 64):
                out += bytes(L[j + l] | (L[j + l + 32] << 4) for l in range(32))
        else:
            qh = [0] * 32
            ql = bytearray()
            m1, m2 = 1, 2
            for n in range(0, 256, 64):
                for j in range(32):
                    l1, l2 = L[n + j], L[n + j + 32]
                    if l1 > 15:
                        l1 -= 16
                        qh[j] |= m1
                    if l2 > 15:
                        l2 -= 16
                        qh[j] |= m2
                    ql.append(l1 | (l2 << 4))
                m1 <<= 2
                m2 <<= 2
            out += bytes(qh) + ql
    return out


def make_qx_quants_rmse1(n, nmax, x):
    mx, amax = F(0), F(0)
    for i in range(n):
        if abs(x[i]) > amax:
            amax, mx = abs(x[i]), x[i]
    if amax < F(1e-15):
        return F(0), [0] * n
    iscale = F(-nmax) / mx
    L = [0] * n
    sumlx, suml2 = F(0), F(0)
    for i in range(n):
        l = max(-nmax, min(nmax - 1, nearest_int(iscale * x[i])))
        L[i] = l + nmax
        w = x[i] * x[i]
        sumlx = sumlx + w * x[i] * F(l)
        suml2 = suml2 + w * F(l) * F(l)
    scale = sumlx / suml2 if suml2 != 0 else F(0)
    best = scale * sumlx
    for st in range(-9, 10):
        if st == 0:
            continue
        iscale = -(F(nmax) + F(0.1) * F(st)) / mx
        sumlx, suml2 = F(0), F(0)
        for i in range(n):
            l = max(-nmax, min(nmax - 1, nearest_int(iscale * x[i])))
            w = x[i] * x[i]
            sumlx = sumlx + w * x[i] * F(l)
            suml2 = suml2 + w * F(l) * F(l)
        if suml2 > 0 and sumlx * sumlx > best * suml2:
            L = [nmax + max(-nmax, min(nmax - 1, nearest_int(iscale * x[i]))) for i in range(n)]
            scale = sumlx / suml2
            best = scale * sumlx
    return scale, L


def q6_k(x):
    out = bytearray()
    for b in range(0, len(x), 256):
        xb = x[b:b + 256]
        L = [0] * 256
        scales = [F(0)] * 16
        max_scale, max_abs = F(0), F(0)
        for ib in range(16):
            s, Lb = make_qx_quants_rmse1(16, 32, xb[16 * ib:16 * ib + 16])
            scales[ib] = s
            L[16 * ib:16 * ib + 16] = Lb
            if abs(s) > max_abs:
                max_abs, max_scale = abs(s), s
        if max_abs < F(1e-15):
            out += bytes(210)
            continue
        iscale = F(-128) / max_scale
        dbytes = fp16_bytes(F(1) / iscale)
        d0 = fp16_value(F(1) / iscale)
        sc = [min(127, nearest_int(iscale * scales[ib])) for ib in range(16)]
        for j in range(16):
            d = d0 * F(sc[j])
            if d == 0:
                continue
            for ii in range(16):
                l = max(-32, min(31, nearest_int(xb[16 * j + ii] / d)))
                L[16 * j + ii] = l + 32
        ql, qh = bytearray(128), bytearray(64)
        for n, (a, h) in enumerate(((0, 0), (64, 32))):
            j = 128 * n
            for l in range(32):
                ql[a + l] = (L[j + l] & 0xF) | ((L[j + l + 64] & 0xF) << 4)
                ql[a + l + 32] = (L[j + l + 32] & 0xF) | ((L[j + l + 96] & 0xF) << 4)
                qh[h + l] = (L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6)
        out += ql + qh + bytes(s & 0xFF for s in sc) + dbytes
    return out


ENCODERS = {
    "Q8_0": q8_0,
    "Q4_0": q4_0,
    "Q4_K": lambda x: qx_k(x, 15, F(-1.0), 20),
    "Q5_K": lambda x: qx_k(x, 31, F(-0.5), 15),
    "Q6_K": q6_k,
}


def main():
    typ, row_len, src, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    data = np.fromfile(src, dtype="<f4")
    enc = ENCODERS[typ]
    with open(dst, "wb") as f:
        for r in range(0, len(data), row_len):
            f.write(enc([F(v) for v in data[r:r + row_len]]))


if __name__ == "__main__":
    np.seterr(all="ignore")  # ggml's arithmetic on extreme inputs overflows to inf the same way
    main()
