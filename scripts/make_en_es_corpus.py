"""Write src/deepviz/models/data/en_es.tsv: the English->Spanish corpus of the attention concept.

Short sentences over a small vocabulary, written for deepviz from templates: subject (dropped
in Spanish, as Spanish does), verb in the present tense (with its conjugation), an object, with
an adjective (which Spanish puts after the noun, so the word order crosses) and negation.
Run: python scripts/make_en_es_corpus.py
"""
from __future__ import annotations

from pathlib import Path

SUBJECTS = [  # English subject, 3rd person singular?, index into a conjugation
    ("i", False, 0), ("you", False, 1), ("he", True, 2), ("she", True, 2), ("we", False, 3), ("they", False, 4),
]
VERBS = {  # English base form, English 3rd person, Spanish present: yo, tú, él/ella, nosotros, ellos
    "eat": ("eats", ["como", "comes", "come", "comemos", "comen"]),
    "drink": ("drinks", ["bebo", "bebes", "bebe", "bebemos", "beben"]),
    "read": ("reads", ["leo", "lees", "lee", "leemos", "leen"]),
    "see": ("sees", ["veo", "ves", "ve", "vemos", "ven"]),
    "want": ("wants", ["quiero", "quieres", "quiere", "queremos", "quieren"]),
    "buy": ("buys", ["compro", "compras", "compra", "compramos", "compran"]),
    "need": ("needs", ["necesito", "necesitas", "necesita", "necesitamos", "necesitan"]),
}
OBJECTS = {  # English object -> Spanish; adjectives follow the noun in Spanish
    "eat": [("apples", "manzanas"), ("red apples", "manzanas rojas"), ("green apples", "manzanas verdes"),
            ("bread", "pan"), ("fresh bread", "pan fresco"), ("fish", "pescado"), ("oranges", "naranjas")],
    "drink": [("water", "agua"), ("cold water", "agua fría"), ("milk", "leche"), ("coffee", "café"),
              ("hot coffee", "café caliente")],
    "read": [("books", "libros"), ("new books", "libros nuevos"), ("the book", "el libro"),
             ("a letter", "una carta"), ("the newspaper", "el periódico")],
    "see": [("the cat", "el gato"), ("the black cat", "el gato negro"), ("the dog", "el perro"),
            ("the white dog", "el perro blanco"), ("the house", "la casa"), ("the big house", "la casa grande")],
    "want": [("apples", "manzanas"), ("water", "agua"), ("the book", "el libro"), ("a dog", "un perro"),
             ("coffee", "café")],
    "buy": [("bread", "pan"), ("milk", "leche"), ("books", "libros"), ("red apples", "manzanas rojas"),
            ("the house", "la casa")],
    "need": [("water", "agua"), ("bread", "pan"), ("a letter", "una carta"), ("the newspaper", "el periódico")],
}


def pairs() -> list[tuple[str, str]]:
    out = []
    for verb, (third, conj) in VERBS.items():
        for obj_en, obj_es in OBJECTS[verb]:
            for subj, is_third, k in SUBJECTS:
                for negative in (False, True):
                    if negative:
                        aux = "does not" if is_third else "do not"
                        en = f"{subj} {aux} {verb} {obj_en}"
                        es = f"no {conj[k]} {obj_es}"
                    else:
                        en = f"{subj} {third if is_third else verb} {obj_en}"
                        es = f"{conj[k]} {obj_es}"
                    out.append((en, es))
    return out


if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "src/deepviz/models/data/en_es.tsv"
    rows = pairs()
    target.write_text("# English\tSpanish (written for deepviz by scripts/make_en_es_corpus.py)\n"
                      + "".join(f"{en}\t{es}\n" for en, es in rows), encoding="utf-8")
    print(f"{len(rows)} pairs -> {target}")
