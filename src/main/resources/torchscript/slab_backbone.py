class SlabBackbone(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.SlabBackbone,
    x: Tensor,
    positions: Tensor,
    slots: Tensor,
    keys: Tensor,
    values: Tensor,
    ws: List[Tensor],
    dims: List[int],
    scale: float) -> Tensor:
    # A whole backbone step over the slab in ONE call (nn.SlabBackbone, the CUDA-shaped path): per
    # layer exactly the ops, order and dtypes of LlamaLayer.step(x, SlabRows, l), then the final
    # RmsNorm, so the bits are the per-layer path's. x [P, 1, D] float32; positions, slots [P]
    # int64 (padding rows: slot 0, position 0); keys, values [L, N, KVH, C, hd] float32, the whole
    # nn.KvSlab. ws per layer: sa_norm scale [D], wqkv [(H + 2 KVH) hd, D], wo [D, H hd], mlp_norm
    # scale [D], w13 [2 I, D], w2 [D, I] (projections float32 or float16, norms float32); then the
    # final norm scale [D], RoPE cos and sin [maxPos, hd] (Llama3Rope), the pair-swap matrix
    # [hd, hd], eps and -0.5 (0-d, as RmsNorm's). dims: H, KVH, hd, L, I. scale: 1/sqrt(hd) as
    # float32. -> [P, 1, D] float32
    hd = dims[2]
    n_layers = dims[3]
    inter = dims[4]
    b = x.size(0)
    at = 6 * n_layers
    final_norm = ws[at]
    cs = torch.reshape(torch.index_select(ws[at + 1], 0, positions), [b, 1, 1, hd])
    sn = torch.reshape(torch.index_select(ws[at + 2], 0, positions), [b, 1, 1, hd])
    swap = ws[at + 3]
    eps = ws[at + 4]
    minus_half = ws[at + 5]
    for l in range(n_layers):
      w = 6 * l
      qkv = self.linear(self.norm(x, ws[w], eps, minus_half), ws[w + 1])
      o = self.attend(qkv, cs, sn, swap, keys, values, l, slots, positions, dims, scale)
      h = torch.add(x, self.linear(o, ws[w + 2]))
      # SwiGlu: w2(silu(w1 x) * w3 x) with w1|w3 fused
      y = self.linear(self.norm(h, ws[w + 3], eps, minus_half), ws[w + 4])
      g = y[..., 0:inter]
      act = torch.mul(torch.mul(g, torch.sigmoid(g)), y[..., inter:2 * inter])
      x = torch.add(h, self.linear(act, ws[w + 5]))
    return self.norm(x, final_norm, eps, minus_half)
  def attend(self: __torch__.SlabBackbone,
    qkv: Tensor,
    cs: Tensor,
    sn: Tensor,
    swap: Tensor,
    all_keys: Tensor,
    all_values: Tensor,
    layer: int,
    slots: Tensor,
    positions: Tensor,
    dims: List[int],
    scale: float) -> Tensor:
    # One layer's attention over all rows at once (also nn.SlabRows alone): no per-row loop, so
    # its kernels do not multiply with the batch. qkv [P, 1, (H + 2 KVH) hd] float32, the fused
    # projection of P rows; cs, sn [P, 1, 1, hd] their RoPE cos and sin; swap [hd, hd] the
    # pair-swap matrix. all_keys, all_values [L, N, KVH, C, hd]: the slab, one slot per request;
    # this layer's [N, KVH, C, hd] is a view of it. slots, positions [P] int64: row p's slot and
    # position; its new key and value are written there in place, then it attends over all C keys
    # of its slot with the keys after its position masked out. The key length is always C, so the
    # shapes a row sees (and its bits) do not depend on the rows beside it. Padding rows use the
    # scratch slot 0. dims: H, KVH, hd (more may follow). -> [P, 1, H hd] float32
    heads = dims[0]
    kv_heads = dims[1]
    hd = dims[2]
    keys = torch.select(all_keys, 0, layer)
    values = torch.select(all_values, 0, layer)
    b = qkv.size(0)
    capacity = keys.size(2)
    q_dim = heads * hd
    kv_dim = kv_heads * hd
    qk = torch.reshape(qkv[..., 0:q_dim + kv_dim], [b, 1, heads + kv_heads, hd])
    swapped = torch.reshape(torch.matmul(torch.reshape(qk, [-1, hd]), swap), qk.size())
    qk = torch.add(torch.mul(qk, cs), torch.mul(swapped, sn))
    q = qk[:, :, 0:heads]
    k = torch.reshape(qk[:, :, heads:heads + kv_heads], [b, kv_heads, hd])
    v = torch.reshape(qkv[..., q_dim + kv_dim:q_dim + 2 * kv_dim], [b, kv_heads, hd])
    row_slot = torch.unsqueeze(slots, 1)
    row_at = torch.unsqueeze(positions, 1)
    head = torch.unsqueeze(torch.arange(kv_heads, dtype=4, layout=None, device=qkv.device, pin_memory=None), 0)
    _0 = torch.index_put_(keys, [row_slot, head, row_at], k)
    _1 = torch.index_put_(values, [row_slot, head, row_at], v)
    cache_k = torch.index_select(keys, 0, slots)
    cache_v = torch.index_select(values, 0, slots)
    group = heads // kv_heads
    qg = torch.reshape(torch.permute(torch.reshape(q, [b, 1, kv_heads, group, hd]), [0, 2, 3, 1, 4]), [b, kv_heads, group, hd])
    scores = torch.mul(torch.matmul(qg, torch.permute(cache_k, [0, 1, 3, 2])), scale)
    key_at = torch.unsqueeze(torch.arange(capacity, dtype=4, layout=None, device=qkv.device, pin_memory=None), 0)
    hidden = torch.reshape(torch.gt(key_at, row_at), [b, 1, 1, capacity])
    scores = torch.masked_fill(scores, hidden, -inf)
    o = torch.matmul(torch.softmax(scores, -1), cache_v)
    return torch.reshape(torch.permute(torch.reshape(o, [b, kv_heads, group, 1, hd]), [0, 3, 1, 2, 4]), [b, 1, heads * hd])
  def norm(self: __torch__.SlabBackbone,
    x: Tensor,
    scale: Tensor,
    eps: Tensor,
    minus_half: Tensor) -> Tensor:
    # RmsNorm: x * (mean(x^2) + eps)^-0.5 * scale, float32
    inv = torch.pow(torch.add(torch.mean(torch.square(x), [-1], True), eps), minus_half)
    return torch.mul(torch.mul(x, inv), scale)
  def linear(self: __torch__.SlabBackbone,
    x: Tensor,
    w: Tensor) -> Tensor:
    # Linear.forward with one plain weight (the CUDA-shaped path): x [..., in] float32 -> [..., out]
    # float32. Linear.product: 2..8 rows stream float32 weights of >= 64K elements as W . x^T;
    # otherwise linear in the weight's type, widened to float32.
    shape = x.size()
    n_in = x.size(-1)
    rows = torch.numel(x) // n_in
    inp = torch.to(torch.reshape(x, [rows, n_in]), w.dtype)
    if w.dtype == 6 and rows > 1 and rows <= 8 and torch.numel(w) >= 65536:
      y = torch.t(torch.matmul(w, torch.t(inp)))
    else:
      y = torch.to(torch.linear(inp, w), 6)
    out: List[int] = []
    for d in range(len(shape) - 1):
      out.append(shape[d])
    out.append(y.size(1))
    return torch.reshape(y, out)
