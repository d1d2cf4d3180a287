"""Writes src/main/resources/torchscript/fp16_linear.pt, the TorchScript module FbgemmFp16 loads.

DJL has no call for libtorch's FBGEMM fp16 GEMM (packed float16 weights, float32 activations),
but it runs TorchScript, and a scripted module can call any ATen op. The module holds no weights.
Regenerate with any PyTorch >= 1.13 (Debian: apt-get install python3-torch):
    python3 src/main/torchscript/fp16_linear.py
"""
import torch
from torch import Tensor


class Fp16Linear(torch.nn.Module):
    def forward(self, x: Tensor, packed: Tensor, bias: Tensor) -> Tensor:
        # x [M, in] float32, packed from pack(w [out, in]), bias broadcast to [M, out]
        return torch.fbgemm_linear_fp16_weight_fp32_activation(x, packed, bias)

    @torch.jit.export
    def pack(self, w: Tensor) -> Tensor:
        # w [out, in] float32 -> an opaque uint8 tensor owning FBGEMM's packed float16 copy
        return torch.fbgemm_pack_gemm_matrix_fp16(w)


if __name__ == "__main__":
    torch.jit.script(Fp16Linear()).save("src/main/resources/torchscript/fp16_linear.pt")
