class SlabAttention(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.SlabAttention,
    qkv: Tensor,
    cs: Tensor,
    sn: Tensor,
    swap: Tensor,
    keys: Tensor,
    values: Tensor,
    slots: Tensor,
    positions: Tensor,
    dims: List[int],
    scale: float) -> Tensor:
    # One step's attention over all rows at once (nn.SlabRows, the CUDA-shaped path): no per-row
    # loop, so its kernels do not multiply with the batch. qkv [P, 1, (H + 2 KVH) hd] float32, the
    # fused projection of P rows; cs, sn [P, 1, 1, hd] their RoPE cos and sin; swap [hd, hd] the
    # pair-swap matrix. keys, values [N, KVH, C, hd]: one layer of the slab (nn.KvSlab), one slot
    # per request. slots, positions [P] int64: row p's slot and position; its new key and value
    # are written there in place, then it attends over all C keys of its slot with the keys after
    # its position masked out. The key length is always C, so the shapes a row sees (and its bits)
    # do not depend on the rows beside it. Padding rows use the scratch slot 0.
    # dims: H, KVH, hd. -> [P, 1, H hd] float32
    heads = dims[0]
    kv_heads = dims[1]
    hd = dims[2]
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
