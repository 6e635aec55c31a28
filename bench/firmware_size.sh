#!/usr/bin/env bash
# Firmware size (issue 4): builds the bare-metal example (firmware-shim/examples-thumb:
# Controller<256> driven by a fake clock, opt-level "z", LTO, panic = abort) for
# thumbv7em-none-eabihf and prints its flash and static RAM from `size -A`. Also checks that
# the controller library and its C ABI static library build for the target.
# Usage: bash bench/firmware_size.sh        (from anywhere; needs the thumbv7em target)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=thumbv7em-none-eabihf

if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    rustup target add "$target"
fi

echo "== cargo build -p firmware-shim --no-default-features --target $target"
(cd "$root" && cargo build -q -p firmware-shim --no-default-features --target "$target")

echo "== C ABI static library for $target (features ffi,panic-handler)"
(cd "$root" && cargo rustc -q --lib -p firmware-shim --release --no-default-features \
    --features ffi,panic-handler --target "$target" --crate-type staticlib \
    --target-dir "$root/target/capi-thumb")
ls -l "$root/target/capi-thumb/$target/release/libfirmware_shim.a" | awk '{print "libfirmware_shim.a: " $5 " bytes (archive, before linking)"}'

echo "== bare-metal example (release: opt-level z, LTO, panic=abort)"
(cd "$root/firmware-shim/examples-thumb" && cargo build -q --release --target "$target" --target-dir "$root/target/examples-thumb")
elf="$root/target/examples-thumb/$target/release/albatross-firmware-example"

# Any `size` that reads 32-bit ARM ELF will do: prefer the cross one, install it if needed.
if command -v arm-none-eabi-size >/dev/null; then
    SIZE=arm-none-eabi-size
elif size -A "$elf" >/dev/null 2>&1; then
    SIZE=size
else
    apt-get install -y -q binutils-arm-none-eabi >/dev/null
    SIZE=arm-none-eabi-size
fi

"$SIZE" -A "$elf" | awk '
    $1 == ".vector_table" { vt = $2 }
    $1 == ".text"   { text = $2 }
    $1 == ".rodata" { ro = $2 }
    $1 == ".data"   { data = $2 }
    $1 == ".bss"    { bss = $2 }
    $1 == ".uninit" { un = $2 }
    END {
        printf "section sizes: .vector_table %d  .text %d  .rodata %d  .data %d  .bss %d  .uninit %d\n", vt, text, ro, data, bss, un
        printf "flash (.text + .rodata + .data): %d bytes (%.1f KiB); with the vector table %d bytes\n", text + ro + data, (text + ro + data) / 1024, vt + text + ro + data
        printf "static RAM (.data + .bss): %d bytes (%.1f KiB)\n", data + bss, (data + bss) / 1024
    }'
