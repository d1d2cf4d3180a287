class MimiStep(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.MimiStep,
    qkv: Tensor,
    rope: Tensor,
    keys: List[Tensor],
    values: List[Tensor],
    at: List[int],
    cached: List[int],
    dims: List[int],
    scale: Tensor,
    masks: Dict[int, Tensor]) -> Tensor:
    # One layer's attention of several Mimi decode streams (codec.MimiStepScript), each over
    # its OWN key/value window, in one call: interleaved RoPE on every row at once, then per
    # stream r: write its T new keys and values at at[r] of its buffers in place and attend over
    # the cached[r] old steps before them plus the new ones, under the sliding-window mask
    # (key k visible to query q iff k <= q and q - k < context), made here from the two counts.
    # qkv [B, T, 3D] float32, the fused projection; rope [2, B, 1, T, Dh/2] cos and sin
    # (tables()); keys[r], values[r] [1, H, capacity, Dh]; dims: H, Dh, context.
    # scale: 1/sqrt(Dh) (0-d float32); masks: the mask of each count of old steps, made by the
    # first layer that needs it (every layer of a stream has the same counts).
    # -> [B, T, H Dh] float32
    heads = dims[0]
    hd = dims[1]
    context = dims[2]
    b = qkv.size(0)
    t = qkv.size(1)
    x = torch.permute(torch.reshape(qkv, [b, t, 3, heads, hd]), [2, 0, 3, 1, 4])
    qk = torch.reshape(torch.slice(x, 0, 0, 2), [2, b, heads, t, torch.floordiv(hd, 2), 2])
    re = torch.select(qk, -1, 0)
    im = torch.select(qk, -1, 1)
    cs = torch.select(rope, 0, 0)
    sn = torch.select(rope, 0, 1)
    out_re = torch.sub(torch.mul(re, cs), torch.mul(im, sn))
    out_im = torch.add(torch.mul(re, sn), torch.mul(im, cs))
    qk = torch.reshape(torch.stack([out_re, out_im], 5), [2, b, heads, t, hd])
    q = torch.select(qk, 0, 0)
    k = torch.select(qk, 0, 1)
    v = torch.select(x, 0, 2)
    rows: List[Tensor] = []
    for r in range(len(keys)):
      start = at[r]
      old = cached[r]
      cache_k = keys[r]
      cache_v = values[r]
      # narrow, not [:, :, a:b]: one op per view instead of one slice per dimension
      _0 = torch.copy_(torch.narrow(cache_k, 2, start, t), torch.narrow(k, 0, r, 1))
      _1 = torch.copy_(torch.narrow(cache_v, 2, start, t), torch.narrow(v, 0, r, 1))
      window_k = torch.narrow(cache_k, 2, start - old, old + t)
      window_v = torch.narrow(cache_v, 2, start - old, old + t)
      if old in masks:
        mask = masks[old]
      else:
        i = torch.unsqueeze(torch.arange(t, device=qkv.device), 1)
        j = torch.unsqueeze(torch.arange(old + t, device=qkv.device), 0)
        back = torch.sub(torch.add(i, old), j)
        hidden = torch.logical_not(torch.logical_and(torch.ge(back, 0), torch.lt(back, context)))
        mask = torch.masked_fill(torch.zeros([t, old + t], dtype=6, device=qkv.device), hidden, -inf)
        masks[old] = mask
      scores = torch.add(torch.mul(torch.matmul(torch.narrow(q, 0, r, 1), torch.transpose(window_k, 2, 3)), scale), mask)
      rows.append(torch.matmul(torch.softmax(scores, -1), window_v))
    out = torch.cat(rows, 0)
    return torch.reshape(torch.permute(out, [0, 2, 1, 3]), [b, t, heads * hd])
  def transformer(self: __torch__.MimiStep,
    x: Tensor,
    ws: List[Tensor],
    rope: Tensor,
    keys: List[Tensor],
    values: List[Tensor],
    at: List[int],
    cached: List[int],
    dims: List[int],
    eps: float,
    scale: float) -> Tensor:
    # The whole decoder transformer of several streams (codec.MimiTransformer.forwardRows) in
    # one call, each layer as MimiTransformerLayer does it: pre-norm LayerNorm, the fused q;k;v
    # projection, forward() above, the output projection, layer scale; then LayerNorm, linear1,
    # exact GELU, linear2, layer scale. Each projection is W [1, out, in] times x^T [B, in, T], a
    # bmm (one product per stream: a stream's bits do not depend on the streams beside it).
    # x [B, T, D] float32; ws: per layer norm1 weight, norm1 bias, in_proj, out_proj,
    # layer_scale_1, norm2 weight, norm2 bias, linear1, linear2, layer_scale_2; rope as forward();
    # keys, values, at, cached: layer l's entries for stream r at l * B + r; dims: H, Dh, context,
    # layers. -> [B, T, D] float32
    b = x.size(0)
    d = x.size(2)
    # made once for all layers: a Python number would be cast to a tensor at every use
    sc = torch.full([], scale, dtype=6, device=x.device)
    masks: Dict[int, Tensor] = {}
    for l in range(dims[3]):
      w = ws[10 * l:10 * l + 10]
      h = torch.layer_norm(x, [d], w[0], w[1], eps)
      qkv = torch.transpose(torch.matmul(w[2], torch.transpose(h, 1, 2)), 1, 2)
      att = self.forward(qkv, rope, keys[l * b:l * b + b], values[l * b:l * b + b], at[l * b:l * b + b], cached[l * b:l * b + b], dims, sc, masks)
      o = torch.transpose(torch.matmul(w[3], torch.transpose(att, 1, 2)), 1, 2)
      x = torch.add(x, torch.mul(o, w[4]))
      g = torch.layer_norm(x, [d], w[5], w[6], eps)
      f = torch.gelu(torch.transpose(torch.matmul(w[7], torch.transpose(g, 1, 2)), 1, 2))
      f = torch.transpose(torch.matmul(w[8], torch.transpose(f, 1, 2)), 1, 2)
      x = torch.add(x, torch.mul(f, w[9]))
    return x
  def tables(self: __torch__.MimiStep,
    freqs: Tensor,
    starts: List[int],
    steps: int) -> Tensor:
    # RoPE cos and sin of each stream's next steps, as codec.MimiRope.tables computes them on
    # the host: angle = float32(position) * freqs in float32, cos/sin in float64 rounded to
    # float32. freqs [Dh/2] float32; stream r is at positions starts[r] .. + steps - 1.
    # -> [2, B, 1, T, Dh/2] float32
    angles: List[Tensor] = []
    for r in range(len(starts)):
      pos = torch.to(torch.arange(starts[r], starts[r] + steps, device=freqs.device), 6)
      angles.append(torch.mul(torch.unsqueeze(pos, 1), torch.unsqueeze(freqs, 0)))
    angle = torch.to(torch.unsqueeze(torch.stack(angles, 0), 1), 7)
    return torch.stack([torch.to(torch.cos(angle), 6), torch.to(torch.sin(angle), 6)], 0)
  def codes(self: __torch__.MimiStep,
    codes: Tensor,
    bins: int) -> Tensor:
    # Codes as the model leaves them on the device, [B, K] or [B, K, T] int64, clamped to the
    # codebook (CSM can sample the 3 ids above it; the CSM authors advise the last entry).
    # -> [B, K, T] int64
    if torch.dim(codes) == 2:
      codes = torch.unsqueeze(codes, 2)
    return torch.clamp(codes, 0, bins - 1)
