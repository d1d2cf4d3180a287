class BackboneAttention(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.BackboneAttention,
    qkv: Tensor,
    cs: Tensor,
    sn: Tensor,
    swap: Tensor,
    keys: List[Tensor],
    values: List[Tensor],
    filled: List[int],
    dims: List[int],
    scale: float) -> Tensor:
    # GqaAttention over one step's rows, each request with its own caches (nn.GqaAttention,
    # nn.ScriptedRows): the same ops in the same order as its host loop, in one call.
    # qkv [P, 1, (H + 2 KVH) hd] float32, the fused projection of P rows; cs, sn [P, 1, 1, hd] the
    # rows' RoPE cos and sin; swap [hd, hd] the pair-swap matrix. keys[r], values[r]
    # [1, KVH, capacity, hd] are request r's caches, filled[r] rows filled so far; the new row is
    # written at filled[r] in place. Rows r >= len(keys) are padding: their output is zero.
    # dims: H, KVH, hd. -> [P, 1, H hd] float32
    heads = dims[0]
    kv_heads = dims[1]
    hd = dims[2]
    b = qkv.size(0)
    q_dim = heads * hd
    kv_dim = kv_heads * hd
    qk = torch.reshape(qkv[..., 0:q_dim + kv_dim], [b, 1, heads + kv_heads, hd])
    swapped = torch.reshape(torch.matmul(torch.reshape(qk, [-1, hd]), swap), qk.size())
    qk = torch.add(torch.mul(qk, cs), torch.mul(swapped, sn))
    q = qk[:, :, 0:heads]
    k = qk[:, :, heads:heads + kv_heads]
    v = torch.reshape(qkv[..., q_dim + kv_dim:q_dim + 2 * kv_dim], [b, 1, kv_heads, hd])
    group = heads // kv_heads
    n = len(keys)
    rows: List[Tensor] = []
    for r in range(n):
      start = filled[r]
      cache_k = keys[r]
      cache_v = values[r]
      cache_k[:, :, start:start + 1] = torch.permute(k[r:r + 1], [0, 2, 1, 3])
      cache_v[:, :, start:start + 1] = torch.permute(v[r:r + 1], [0, 2, 1, 3])
      length = start + 1
      qg = torch.reshape(torch.permute(torch.reshape(q[r:r + 1], [1, 1, kv_heads, group, hd]), [0, 2, 3, 1, 4]), [1, kv_heads, group, hd])
      scores = torch.mul(torch.matmul(qg, torch.permute(cache_k[:, :, 0:length], [0, 1, 3, 2])), scale)
      o = torch.matmul(torch.softmax(scores, -1), cache_v[:, :, 0:length])
      rows.append(torch.reshape(torch.permute(torch.reshape(o, [1, kv_heads, group, 1, hd]), [0, 3, 1, 2, 4]), [1, 1, heads * hd]))
    if n < b:
      rows.append(torch.zeros([b - n, 1, heads * hd], dtype=6, device=qkv.device))
    return torch.cat(rows, 0)
