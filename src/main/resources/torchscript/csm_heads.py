class CsmHeads(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.CsmHeads,
    h: Tensor,
    ws: List[Tensor],
    blocks: List[int],
    dims: List[int],
    pad: List[int],
    settings: Tensor,
    max_k: int,
    forced: Tensor,
    record: bool,
    any_greedy: bool) -> Tuple[Tensor, Tensor, Tensor]:
    # One frame's heads (CsmModel.frame): h [B, D] float32, the backbone's last hidden state ->
    # codes [B, K] int64, and when record is set the logits [B, K, V] and the decoder's normed
    # outputs [B, K-1, Ddec] behind them. ws: each linear's row blocks in the order c0 head,
    # projection, per decoder layer qkv/wo/w13/w2, the K-1 audio heads (blocks[j] tensors for
    # linear j), then per layer sa_norm/mlp_norm scales, the final norm scale, the decoder's audio
    # embedding table [V*K, D], RoPE cos and sign-folded sin [1, K, 1, hd] (the K positions the
    # decoder uses), the pair swap's source index [hd] int64, eps and -0.5 (0-d), FBGEMM's zero
    # bias [1], the causal mask of step 1 [2, 2], the decoder width and the attention's
    # 1/sqrt(head dim) (0-d float32: a Python number would be cast to a tensor at every use).
    # dims: K, V, layers, heads, kv heads, head dim, intermediate, packed, conv, decoder width,
    # where the weights' transposed views start in ws (unpacked weights).
    # any_greedy: whether some row is greedy (else no row needs the argmax).
    # settings [B, 4] float64, the frame's one upload: each row's temperature, top-k, and the state
    # of its noise stream before the frame (Sampler.frameStream: entry j of codebook c draws
    # SplitMix64 output c V + j of it) as its high (signed) and low 32 bits, all exact in a double.
    # max_k: the largest top-k of a sampling row, 1 when every row is greedy. forced [B, K] int64: a
    # code to take instead of choosing one, or -1 (empty: none forced).
    k = dims[0]
    v = dims[1]
    n_layers = dims[2]
    packed = dims[7] == 1
    conv = dims[8] == 1
    b = h.size(0)
    firsts: List[int] = []
    at = 0
    for j in range(len(blocks)):
      firsts.append(at)
      at = at + blocks[j]
    extra = at
    final_norm = ws[extra + 2 * n_layers]
    table = ws[extra + 2 * n_layers + 1]
    cos = ws[extra + 2 * n_layers + 2]
    sin = ws[extra + 2 * n_layers + 3]
    swap = ws[extra + 2 * n_layers + 4]
    width = ws[extra + 2 * n_layers + 9]
    scale = ws[extra + 2 * n_layers + 10]
    eps = ws[extra + 2 * n_layers + 5]
    minus_half = ws[extra + 2 * n_layers + 6]
    zero = ws[extra + 2 * n_layers + 7]
    mask = ws[extra + 2 * n_layers + 8]
    temperature = torch.to(torch.select(settings, 1, 0), 6)
    top_k = torch.to(torch.select(settings, 1, 1), 4)
    noise = self.stream(settings)
    greedy = torch.__or__(torch.le(top_k, 1), torch.eq(temperature, 0.))
    # what every codebook's pick reads, made once a frame: each row's divisor [B, 1] (1 for greedy
    # rows), the index of its k-th largest value [B, 1]
    divisor = torch.unsqueeze(torch.where(greedy, torch.ones_like(temperature), temperature), 1)
    kth_at = torch.unsqueeze(torch.sub(torch.clamp(top_k, 1, max_k), 1), 1)
    sampling = max_k > 1
    forcing = torch.numel(forced) > 0
    codes = torch.zeros([b, k], dtype=4, device=h.device)
    rec_logits = torch.zeros([0], dtype=6, device=h.device)
    rec_hidden = torch.zeros([0], dtype=6, device=h.device)
    logits = self.linear(h, ws, firsts[0], blocks[0], packed, conv, pad, zero, dims[10])
    if record:
      rec_logits = torch.zeros([b, k, v], dtype=6, device=h.device)
      rec_hidden = torch.zeros([b, k - 1, dims[9]], dtype=6, device=h.device)
      rec_logits[:, 0] = logits
    c = self.pick(logits, 0, divisor, kth_at, greedy, max_k, noise, forced, sampling, forcing, any_greedy)
    codes[:, 0] = c
    x = torch.cat([torch.reshape(h, [b, 1, -1]), torch.reshape(self.embed(table, c, 0, v), [b, 1, -1])], 1)
    kv_heads = dims[4]
    hd = dims[5]
    caches: List[Tensor] = []
    for l in range(2 * n_layers):
      caches.append(torch.zeros([b, kv_heads, k, hd], dtype=6, device=h.device))
    # x: [B, 2, D] at step 1, then [B, D]: a one-position step runs on 2-D rows, whose products
    # are the same matrix products without matmul's folding of a [B, 1, D] input
    for i in range(1, k):
      y = self.linear(x, ws, firsts[1], blocks[1], packed, conv, pad, zero, dims[10])
      flat = y.dim() == 2
      s = 1
      if not flat:
        s = y.size(1)
      start = 0
      if i > 1:
        start = i
      cs = cos[:, start:start + s]
      sn = sin[:, start:start + s]
      for l in range(n_layers):
        lin = 2 + 4 * l
        attn = self.attention(self.norm(y, ws[extra + 2 * l], eps, minus_half, width), ws, firsts, blocks, lin, dims, pad, zero, cs, sn, swap, caches[2 * l], caches[2 * l + 1], start, mask, scale)
        y = torch.add(y, attn)
        y = torch.add(y, self.mlp(self.norm(y, ws[extra + 2 * l + 1], eps, minus_half, width), ws, firsts, blocks, lin + 2, dims, pad, zero))
      if not flat:
        y = torch.select(y, 1, -1)
      last = self.norm(y, final_norm, eps, minus_half, width)
      head = 2 + 4 * n_layers + i - 1
      logits = self.linear(last, ws, firsts[head], blocks[head], packed, conv, pad, zero, dims[10])
      if record:
        rec_logits[:, i] = logits
        rec_hidden[:, i - 1] = last
      c = self.pick(logits, i, divisor, kth_at, greedy, max_k, noise, forced, sampling, forcing, any_greedy)
      codes[:, i] = c
      if i < k - 1:
        x = self.embed(table, c, i, v)
    return (codes, rec_logits, rec_hidden)
  def pick(self: __torch__.CsmHeads,
    logits: Tensor,
    codebook: int,
    divisor: Tensor,
    kth_at: Tensor,
    greedy: Tensor,
    max_k: int,
    noise: Tensor,
    forced: Tensor,
    sampling: bool,
    forcing: bool,
    any_greedy: bool) -> Tensor:
    # The reference's sample_topk per row: logits / temperature, keep values >= the k-th largest
    # (ties kept), softmax, then argmax(p / E) with the row's own Exp(1) noise E. Greedy rows take
    # the argmax (first index on ties). logits [B, V] float32 -> [B] int64. divisor [B, 1]: the
    # temperature (1 for greedy rows); kth_at [B, 1]: top-k - 1, clamped to 0..max_k - 1; noise
    # [B, 1] int64: each row's stream state before the frame.
    if not sampling:
      out = torch.argmax(logits, -1)
    else:
      v = logits.size(1)
      scaled = torch.div(logits, divisor)
      # Only kept entries can win the race, and they are the top-k plus the ties at the k-th
      # value: the candidates are the largest max_k + 64 (ties beyond that many, 64 entries all
      # exactly at the k-th value, are not drawn from). p / E ranks as exp(l - max) / E does (the
      # softmax's sum is one positive factor), so neither the softmax over V entries nor their
      # noise is needed: E is drawn at the candidates alone.
      top = torch.topk(scaled, min(v, max_k + 64))
      vals = top[0]
      at = top[1]
      kth = torch.gather(vals, 1, kth_at)
      e = torch.masked_fill(torch.exp(torch.sub(vals, torch.narrow(vals, 1, 0, 1))), torch.lt(vals, kth), 0.)
      race = torch.argmax(torch.div(e, self.exp1(noise, torch.add(at, codebook * v))), -1, True)
      sampled = torch.squeeze(torch.gather(at, 1, race), 1)
      out = sampled
      if any_greedy:
        out = torch.where(greedy, torch.argmax(logits, -1), sampled)
    if forcing:
      f = torch.select(forced, 1, codebook)
      out = torch.where(torch.ge(f, 0), f, out)
    return out
  def stream(self: __torch__.CsmHeads,
    settings: Tensor) -> Tensor:
    # each row's noise stream state [B, 1] int64 from its two 32-bit halves in settings [B, 4]
    hi = torch.to(torch.narrow(settings, 1, 2, 1), 4)
    return torch.add(torch.mul(hi, 4294967296), torch.to(torch.narrow(settings, 1, 3, 1), 4))
  def exp1(self: __torch__.CsmHeads,
    stream: Tensor,
    n: Tensor) -> Tensor:
    # Exp(1) draws n [B, N] int64 of each row's stream [B, 1], as java.util.SplittableRandom gives
    # them: z = state + n GAMMA, SplitMix64's mix64(z) (int64 products wrap), u = (z >>> 11) 2^-53,
    # E = (float) -log(1 - u), at least Float.MIN_NORMAL -> [B, N] float32. A logical shift is an
    # arithmetic one masked to the bits it keeps.
    z = torch.add(stream, torch.mul(n, -7046029254386353131))
    z = torch.mul(torch.bitwise_xor(z, torch.bitwise_and(torch.bitwise_right_shift(z, 30), 17179869183)), -4658895280553007687)
    z = torch.mul(torch.bitwise_xor(z, torch.bitwise_and(torch.bitwise_right_shift(z, 27), 137438953471)), -7723592293110705685)
    z = torch.bitwise_xor(z, torch.bitwise_and(torch.bitwise_right_shift(z, 31), 8589934591))
    u = torch.mul(torch.to(torch.bitwise_and(torch.bitwise_right_shift(z, 11), 9007199254740991), 7), 1.1102230246251565e-16)
    return torch.clamp_min(torch.to(torch.neg(torch.log(torch.rsub(u, 1.))), 6), 1.1754943508222875e-38)
  def sample(self: __torch__.CsmHeads,
    logits: Tensor,
    settings: Tensor,
    max_k: int) -> Tensor:
    # pick() alone for one codebook (tests): logits [B, V], settings [B, 4] as forward's -> [B].
    temperature = torch.to(torch.select(settings, 1, 0), 6)
    top_k = torch.to(torch.select(settings, 1, 1), 4)
    greedy = torch.__or__(torch.le(top_k, 1), torch.eq(temperature, 0.))
    divisor = torch.unsqueeze(torch.where(greedy, torch.ones_like(temperature), temperature), 1)
    kth_at = torch.unsqueeze(torch.sub(torch.clamp(top_k, 1, max_k), 1), 1)
    return self.pick(logits, 0, divisor, kth_at, greedy, max_k, self.stream(settings), torch.zeros([0], dtype=4), max_k > 1, False, True)
  def embed(self: __torch__.CsmHeads,
    table: Tensor,
    c: Tensor,
    codebook: int,
    v: int) -> Tensor:
    # FrameEmbedder.embedCodes: rows c + V * codebook of the audio table -> [B, D] float32
    return torch.to(torch.index_select(table, 0, torch.add(c, v * codebook)), 6)
  def norm(self: __torch__.CsmHeads,
    x: Tensor,
    scale: Tensor,
    eps: Tensor,
    minus_half: Tensor,
    width: Tensor) -> Tensor:
    # RmsNorm: x * (mean(x^2) + eps)^-0.5 * scale, float32. The mean is libtorch's own: a sum
    # divided by the width, without the cast of the width it makes at every call.
    inv = torch.pow(torch.add(torch.div(torch.sum(torch.square(x), [-1], True), width), eps), minus_half)
    return torch.mul(torch.mul(x, inv), scale)
  def attention(self: __torch__.CsmHeads,
    x: Tensor,
    ws: List[Tensor],
    firsts: List[int],
    blocks: List[int],
    lin: int,
    dims: List[int],
    pad: List[int],
    zero: Tensor,
    cs: Tensor,
    sn: Tensor,
    swap: Tensor,
    keys: Tensor,
    values: Tensor,
    start: int,
    mask: Tensor,
    scale: Tensor) -> Tensor:
    # GqaAttention.forward with one cache shared by the batch: x [B, S, Dm] -> [B, S, Dm]
    packed = dims[7] == 1
    conv = dims[8] == 1
    heads = dims[3]
    kv_heads = dims[4]
    hd = dims[5]
    b = x.size(0)
    flat = x.dim() == 2
    s = 1
    if not flat:
      s = x.size(1)
    q_dim = heads * hd
    kv_dim = kv_heads * hd
    qkv = self.linear(x, ws, firsts[lin], blocks[lin], packed, conv, pad, zero, dims[10])
    qk = torch.reshape(qkv[..., 0:q_dim + kv_dim], [b, s, heads + kv_heads, hd])
    # the pair swap as a gather (its sign is in sn): the same values as Llama3Rope's product by a
    # signed permutation matrix, without flattening the strided qk (a copy) and a matmul
    qk = torch.add(torch.mul(qk, cs), torch.mul(torch.index_select(qk, 3, swap), sn))
    # narrow, not [:, :, a:b]: one op per view instead of one slice per dimension
    q = torch.narrow(qk, 2, 0, heads)
    kk = torch.narrow(qk, 2, heads, kv_heads)
    vv = torch.reshape(qkv[..., q_dim + kv_dim:q_dim + 2 * kv_dim], [b, s, kv_heads, hd])
    _0 = torch.copy_(torch.narrow(keys, 2, start, s), torch.permute(kk, [0, 2, 1, 3]))
    _1 = torch.copy_(torch.narrow(values, 2, start, s), torch.permute(vv, [0, 2, 1, 3]))
    n = start + s
    group = heads // kv_heads
    qg = torch.reshape(torch.permute(torch.reshape(q, [b, s, kv_heads, group, hd]), [0, 2, 3, 1, 4]), [b, kv_heads, group * s, hd])
    scores = torch.mul(torch.matmul(qg, torch.permute(torch.narrow(keys, 2, 0, n), [0, 1, 3, 2])), scale)
    if s > 1:
      scores = torch.reshape(torch.add(torch.reshape(scores, [b, kv_heads, group, s, n]), mask), [b, kv_heads, group * s, n])
    o = torch.matmul(torch.softmax(scores, -1), torch.narrow(values, 2, 0, n))
    shape = [b, s, heads * hd]
    if flat:
      shape = [b, heads * hd]
    o = torch.reshape(torch.permute(torch.reshape(o, [b, kv_heads, group, s, hd]), [0, 3, 1, 2, 4]), shape)
    return self.linear(o, ws, firsts[lin + 1], blocks[lin + 1], packed, conv, pad, zero, dims[10])
  def mlp(self: __torch__.CsmHeads,
    x: Tensor,
    ws: List[Tensor],
    firsts: List[int],
    blocks: List[int],
    lin: int,
    dims: List[int],
    pad: List[int],
    zero: Tensor) -> Tensor:
    # SwiGlu: w2(silu(w1 x) * w3 x) with w1|w3 fused
    packed = dims[7] == 1
    conv = dims[8] == 1
    inter = dims[6]
    y = self.linear(x, ws, firsts[lin], blocks[lin], packed, conv, pad, zero, dims[10])
    g = y[..., 0:inter]
    act = torch.mul(torch.mul(g, torch.sigmoid(g)), y[..., inter:2 * inter])
    return self.linear(act, ws, firsts[lin + 1], blocks[lin + 1], packed, conv, pad, zero, dims[10])
  def linear(self: __torch__.CsmHeads,
    x: Tensor,
    ws: List[Tensor],
    first: int,
    count: int,
    packed: bool,
    conv: bool,
    pad: List[int],
    zero: Tensor,
    transposed: int) -> Tensor:
    # Linear.forward: x [..., in] float32 times the row blocks ws[first:first+count] -> [..., out].
    # Unpacked weights also have their transposed views at ws[transposed + j] for ws[j]: a
    # bias-free linear(x, w) is libtorch's matmul(x, w.t()), so the same product without making
    # the view at every call.
    n_in = x.size(-1)
    rows = torch.numel(x) // n_in
    # a whole weight (the usual step): the products take any leading dims themselves, so no
    # reshapes or lists (half of this function's interpreted ops, per product of 31 steps)
    if count == 1 and packed:
      if self.padded_rows(rows, pad) == rows:
        return self.packed_block(x, ws[first], zero)
    if count == 1 and not packed and not (conv and rows >= 9):
      w = ws[first]
      if w.dtype == 6:
        if rows <= 1 or rows > 8 or torch.numel(w) < 65536:
          return torch.matmul(x, ws[transposed + first])
      else:
        return torch.to(torch.matmul(torch.to(x, w.dtype), ws[transposed + first]), 6)
    shape = x.size()
    flat = torch.reshape(x, [rows, n_in])
    if packed:
      padded = self.padded_rows(rows, pad)
      inp = flat
      if padded != rows:
        inp = torch.cat([flat, torch.zeros([padded - rows, n_in], dtype=6, device=x.device)], 0)
      # the blocks after the first on libtorch's inter-op threads, the first on this one
      futures: List[Future[Tensor]] = []
      for j in range(1, count):
        futures.append(fork(self.packed_block, inp, ws[first + j], zero))
      parts: List[Tensor] = [self.packed_block(inp, ws[first], zero)]
      for f in futures:
        parts.append(torch.wait(f))
      y = parts[0]
      if count > 1:
        y = torch.cat(parts, -1)
      if padded != rows:
        y = y[0:rows]
    elif conv and rows >= 9:
      y = self.convolution(flat, ws, first, count)
    else:
      inp = torch.to(flat, ws[first].dtype)
      futures: List[Future[Tensor]] = []
      for j in range(1, count):
        futures.append(fork(self.product, inp, ws[first + j]))
      parts: List[Tensor] = [self.product(inp, ws[first])]
      for f in futures:
        parts.append(torch.wait(f))
      y = parts[0]
      if count > 1:
        y = torch.cat(parts, -1)
    out: List[int] = []
    for d in range(len(shape) - 1):
      out.append(shape[d])
    out.append(y.size(1))
    return torch.reshape(y, out)
  def packed_block(self: __torch__.CsmHeads,
    x: Tensor,
    packed: Tensor,
    zero: Tensor) -> Tensor:
    return torch.fbgemm_linear_fp16_weight_fp32_activation(x, packed, zero)
  def product(self: __torch__.CsmHeads,
    x: Tensor,
    w: Tensor) -> Tensor:
    # Linear.product: a few rows stream float32 weights as W . x^T; otherwise linear, widened
    rows = x.size(0)
    if w.dtype == 6 and rows > 1 and rows <= 8 and torch.numel(w) >= 65536:
      return torch.t(torch.matmul(w, torch.t(x)))
    return torch.to(torch.linear(x, w), 6)
  def convolution(self: __torch__.CsmHeads,
    x: Tensor,
    ws: List[Tensor],
    first: int,
    count: int) -> Tensor:
    # Linear.convolution: many rows as chunked float32 1x1 convolutions. x [M, in] -> [M, out]
    n_in = x.size(1)
    channels = torch.unsqueeze(torch.t(x), 0)
    chunk = max(1, 2097152 // n_in)
    outs: List[Tensor] = []
    for j in range(count):
      w = ws[first + j]
      rows = w.size(0)
      at = 0
      while at < rows:
        n = min(rows, at + chunk) - at
        kernel = w
        if n != rows:
          kernel = w[at:at + n]
        kernel = torch.to(kernel, 6)
        outs.append(torch.conv1d(channels, torch.unsqueeze(kernel, 2), None, [1], [0], [1], 1))
        at = at + chunk
    y = outs[0]
    if len(outs) > 1:
      y = torch.cat(outs, 1)
    return torch.t(torch.squeeze(y, 0))
  def padded_rows(self: __torch__.CsmHeads,
    rows: int,
    pad: List[int]) -> int:
    # RowBlocks.paddedRows: FBGEMM's batch-invariant row count for rows
    if len(pad) == 0 or rows <= 0:
      return rows
    full = rows // 120
    tail = rows % 120
    if tail == 0:
      return rows
    return full * 120 + pad[tail]
