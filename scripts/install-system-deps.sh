#!/usr/bin/env bash
# Install the Debian / Raspberry Pi OS packages voicecare needs, only those missing.
# Speech output: espeak-ng. Audio devices: libportaudio2. Test voices: flite, festival (and sox for tools).
# The Piper voice and the report's charts (`make`'s pip extras) come as wheels, on x86-64 and aarch64
# alike, and need nothing more from the system.
set -euo pipefail

packages=(espeak-ng libespeak-ng1 libportaudio2 flite python3-venv)
[ "${1:-}" = "--test" ] && packages+=(sox systemd festival festvox-us-slt-hts festvox-kallpc16k)
# The report tests open the HTML in headless Chromium and render the PDF with pdftoppm.
[ "${1:-}" = "--test" ] && packages+=(chromium poppler-utils)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "Error: missing system packages: ${missing[*]} — install them with your package manager" >&2
  exit 2
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Error: need root to install ${missing[*]} — run as root or install sudo" >&2; exit 2; }
  sudo="sudo"
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
