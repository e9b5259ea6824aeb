"""Demo blobs, written for copydesk (invented stories shaped like real pages)."""

from __future__ import annotations

_LISBON = [
    "LISBON: Dock workers at Portugal’s largest container port walked off the job on Tuesday, "
    "halting cargo traffic for a second week as talks over night-shift pay collapsed again.",
    "The stoppage at the Port of Lisbon has left more than forty ships waiting offshore, "
    "according to the port authority, which said perishable goods were being diverted to Sines "
    "and to Spanish terminals in Vigo and Algeciras.",
    "“We have been patient for two years, and the answer is always next year,” said union leader "
    "Marta Figueiredo, speaking to reporters outside the terminal gates.",
    "The European Commission said it was following the dispute closely because of its impact on "
    "supply chains across the European Union.",
    "Portugal’s Infrastructure Minister Rui Carvalho said the government would appoint a mediator "
    "by the end of the week and urged both sides to return to the table.",
    "Exporters of cork, wine and textiles warned that a longer strike could cost them orders ahead "
    "of the Christmas season, when shipments to Germany, France and the Netherlands peak.",
]
_ACCRA = [
    "ACCRA: Ghana’s cocoa regulator raised the price it pays farmers by nearly a third on Friday, "
    "seeking to stem the smuggling of beans into neighbouring Ivory Coast and Togo.",
    "The Ghana Cocoa Board said the new farm-gate price would take effect at the start of the "
    "main crop season and would be reviewed again in six months.",
    "Farmers in the Ashanti region welcomed the decision but said fertiliser costs had doubled "
    "since last year, eating into any gain.",
    "“The price is good news, but we need inputs delivered on time,” said Kwame Asante, who farms "
    "twelve acres near Kumasi.",
    "Ghana is the world’s second largest cocoa producer after Ivory Coast, and the crop is one of "
    "its main sources of foreign currency alongside gold and oil.",
    "Analysts in Accra said the increase could also ease pressure on the cedi if it brings more "
    "beans back into official channels before the end of the year.",
]
_CHROME_TOP = ["Home", "World", "Business", "Sport", "Subscribe", "Sign in", ""]
_CHROME_MID = [
    "Portugal port strike drags into second week as pay talks collapse",
    "Short link",
    "https://dailywire.example/s/8kq2",
    "Share on Facebook",
    "Share on X",
    "",
    "Ghana raises cocoa farm-gate price to curb smuggling",
]

DEMO_DUMP = "\n".join(
    [
        *_CHROME_TOP,
        *_LISBON,
        *_CHROME_MID,
        *_ACCRA,
        *_ACCRA[1:],
        "© 2026 Daily Wire Example Ltd. All rights reserved.",
        "",
        "",
    ]
)

DEMO_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Floods close schools across Queensland | Coastal Herald</title>
<meta property="og:title" content="Floods close schools across Queensland">
<meta name="author" content="Jo Whitlam">
<meta property="article:published_time" content="2026-02-03T06:30:00Z">
<link rel="canonical" href="https://coastalherald.example/news/queensland-floods">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/weather">Weather</a></nav>
<article>
<h1>Floods close schools across Queensland</h1>
<p class="byline">By Jo Whitlam</p>
<p>BRISBANE: More than two hundred schools across southeast Queensland were closed on Monday
after a week of heavy rain pushed rivers past their banks and cut roads between Brisbane and the
Sunshine Coast.</p>
<p>The Bureau of Meteorology warned that another 150 millimetres could fall in some catchments by
Wednesday, and emergency services carried out more than sixty swift-water rescues overnight.</p>
<p>Queensland Premier Anna Collins said the state would open evacuation centres in Ipswich and
Gympie, and asked residents in low-lying suburbs to prepare to leave their homes.</p>
<p>Farmers in the Lockyer Valley said vegetable crops had been lost days before harvest, and
warned that prices in supermarkets in Sydney and Melbourne would rise within weeks.</p>
<p>Australia's federal government said disaster payments would be available from Tuesday.</p>
</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Ten best beaches this summer</a></li>
<li><a href="/b">Council votes on new bike lanes</a></li></ul></aside>
<footer><p>© 2026 Coastal Herald. All rights reserved.</p></footer>
</body></html>
"""

DEMO_JOBS = [
    {
        "job_id": "demo-dump",
        "content": DEMO_DUMP,
        "content_type": "text/plain",
        "url": "https://dailywire.example/world",
        "source": "demo",
    },
    {
        "job_id": "demo-html",
        "content": DEMO_HTML,
        "content_type": "text/html",
        "url": "https://coastalherald.example/news/queensland-floods",
        "source": "demo",
    },
]
