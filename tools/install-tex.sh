#!/usr/bin/env bash
# Installs what `make paper` needs on Debian (as root): pdflatex, latexmk, booktabs, rotating, caption, placeins (latex-extra), pgfplots
# (pictures), Latin Modern fonts (lmodern) and pdftoppm (poppler-utils, to check pages). Does nothing when all are there.
set -euo pipefail
have() {
  command -v latexmk >/dev/null && command -v pdftoppm >/dev/null || return 1
  for s in pgfplots booktabs rotating placeins caption lmodern; do kpsewhich "$s.sty" >/dev/null || return 1; done
}
have && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "make paper needs pdflatex, latexmk, pdftoppm and the LaTeX packages booktabs, rotating, placeins, caption, pgfplots, lmodern (Debian:" \
       "texlive-latex-recommended texlive-latex-extra texlive-pictures latexmk lmodern poppler-utils); run as root with apt-get, or install them" >&2
  exit 1
fi
echo "installing TeX (texlive-latex-recommended, texlive-latex-extra, texlive-pictures, latexmk, lmodern; a few minutes) ..."
(apt-get update -qq || true)
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends texlive-latex-recommended texlive-latex-extra \
  texlive-pictures latexmk lmodern poppler-utils >/dev/null
have || { echo "TeX installation incomplete" >&2; exit 1; }
echo "installed TeX"
