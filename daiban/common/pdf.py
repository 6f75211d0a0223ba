"""Printable documents share one font: a CID font every PDF reader knows for Simplified Chinese, so
nothing has to be shipped or downloaded."""

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CHINESE_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))
