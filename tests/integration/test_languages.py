"""Pages in the desk's other languages through the queue: tagged, placed, with their tagger named.

The pages are invented (written for this test), shaped like a German and a French news page.
"""

from __future__ import annotations

import uuid

from tests.integration.conftest import articles_of, wait_for

GERMAN = """<!DOCTYPE html><html lang="de"><head><title>Hochwasser in Bayern</title></head><body>
<nav><a href="/">Startseite</a> <a href="/politik">Politik</a> <a href="/sport">Sport</a></nav>
<article><h1>Hochwasser in Bayern: Passau bereitet sich auf den Scheitel vor</h1>
<p>PASSAU (dpa) - Nach tagelangem Regen steigt die Donau in Passau weiter an. Die Stadt hat
am Sonntag mehrere Straßen in der Altstadt gesperrt, Helfer des Technischen Hilfswerks
füllten bis in die Nacht Sandsäcke. Der Scheitel wird für Montagabend erwartet.</p>
<p>Auch in Regensburg und in Niederbayern sind zahlreiche Keller vollgelaufen. Die
Landesregierung in München kündigte Soforthilfen für betroffene Familien an. Aus Österreich
kamen Einsatzkräfte über die Grenze, um bei der Sicherung der Deiche zu helfen.</p>
<p>Meteorologen rechnen erst zur Wochenmitte mit trockenerem Wetter. Die Behörden in
Deutschland rufen die Anwohner auf, Gebiete am Ufer zu meiden und Warnungen zu beachten.</p>
</article><footer>Impressum · Datenschutz · Kontakt</footer></body></html>"""

FRENCH = """<!DOCTYPE html><html lang="fr"><head><title>Sénégal : la saison</title></head>
<body><nav><a href="/">Accueil</a> <a href="/afrique">Afrique</a> <a href="/monde">Monde</a></nav>
<article><h1>Sénégal : à Dakar, les maraîchers attendent la saison des pluies</h1>
<p>DAKAR, 3 juin - Dans la banlieue de Dakar, les maraîchers de Pikine surveillent le ciel.
Le ministre de l'Agriculture, Mamadou Diallo, a annoncé lundi un programme d'aide aux petits
producteurs de la région de Thiès, touchés par la sécheresse de l'an dernier.</p>
<p>Selon l'Agence nationale de la météorologie du Sénégal, les premières pluies sont
attendues à la mi-juin. La Banque africaine de développement finance une partie des forages
creusés près de Saint-Louis et de Kaolack.</p>
<p>Au Mali voisin, les agriculteurs font face aux mêmes difficultés, et les deux pays
discutent d'un plan commun pour la gestion de l'eau du fleuve Sénégal.</p>
</article><footer>Mentions légales · Contact</footer></body></html>"""


def test_german_and_french_pages_are_tagged_and_placed(store, settings, producer):
    """German: places from the gazetteer, Europe. French: spaCy's French model, Africa."""
    pages = {"de": (GERMAN, "Europe"), "fr": (FRENCH, "Africa")}
    ids = {}
    for language, (html, _) in pages.items():
        job_id = f"lang-{language}-{uuid.uuid4().hex[:8]}"
        producer.submit_envelope({"job_id": job_id, "content": html, "content_type": "text/html"})
        ids[language] = job_id
    assert set(wait_for(store, ids.values()).values()) == {"done"}
    for language, (_, region) in pages.items():
        (article,) = articles_of(store, settings, ids[language])
        assert article["language"] == language
        assert article["primary_region"] == region
        assert article["entities"], f"no entities in the {language} article"
        for m in article["entities"]:
            assert article["text"][m["start"] : m["end"]] == m["text"]
    (german,) = articles_of(store, settings, ids["de"])
    assert german["entities_source"] == "gazetteer"
    assert german["dateline"] == "PASSAU"
    assert {"Bayern", "Regensburg", "München", "Österreich"} <= {
        m["text"] for m in german["entities"]
    }
    assert {m["country"] for m in german["entities"]} >= {"DE", "AT"}
    (french,) = articles_of(store, settings, ids["fr"])
    assert french["entities_source"] == "model:fr_core_news_sm"
    people = {m["text"] for m in french["entities"] if m["label"] == "PERSON"}
    assert "Mamadou Diallo" in people
    assert "SN" in {m["country"] for m in french["entities"]}
