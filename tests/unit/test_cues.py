"""The cue reader: facts a person expects us to get right every time, and the traps.

Each cue errs on not claiming: a missed cue costs a button press, a wrong one puts words in
the person's mouth ("15 ans de prison" is not an age, "mon chum me frappe" is not a
question about someone else).
"""

from __future__ import annotations

import pytest

from flows.domain import Language
from flows.understanding import NO_CUES, RELATIONS
from nlu.cues import RuleCueReader

reader = RuleCueReader()


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("j'ai 15 ans", 15),
        ("jai 15ans pis mes parents mont mis dehors", 15),
        ("J'AI 14 ANS", 14),
        ("j'ai juste 13 ans", 13),
        ("moi j'ai 17 ans et chu à la rue", 17),
        ("j'ai quinze ans", 15),
        ("j'ai dix-sept ans", 17),
        ("je suis âgée de 16 ans", 16),
        ("16 ans, mes darons m'ont tèj", 16),
        ("g 16 ans", 16),
        ("im 16", 16),
        ("I'm 16 years old", 16),
        ("i am only 14", 14),
        ("I’m 17 and got kicked out", 17),
        ("16yo", 16),
        ("16 yo here, need a bed", 16),
        ("i'm a 15 year old girl", 15),
        ("I'm fifteen", 15),
        ("j'ai 45 ans et je cherche une job", 45),
    ],
)
def test_the_persons_own_age_is_read(text: str, age: int) -> None:
    assert reader.read(text).age == age


@pytest.mark.parametrize(
    "text",
    [
        "j'ai fait 15 ans de prison",
        "j'ai 15 ans de prison derrière moi",
        "depuis 15 ans je consomme",
        "ça fait 15 ans que je consomme",
        "j'ai 15 ans d'expérience en cuisine",
        "mon fils a 15 ans",
        "mon gars de 16 ans consomme",
        "my 16 year old son is using",
        "my daughter is 14",
        "I'm 20 minutes away",
        "i'm 5 blocks from the shelter",
        "I'm 2 weeks behind on rent",
        "j'ai 30 comprimés",
        "j'ai 20 piasses",
        "il y a 15 ans",
        "15 ans plus tard",
    ],
)
def test_other_numbers_are_not_an_age(text: str) -> None:
    assert reader.read(text).age is None


@pytest.mark.parametrize(
    ("text", "relation"),
    [
        ("je demande pour mon fils", "child"),
        ("je demande pour ma fille, elle a nulle part où dormir", "child"),
        ("c'est pour une amie", "friend"),
        ("je demande pour un voisin", "neighbour"),
        ("mon ami dort dehors, comment l'aider", "friend"),
        ("mon pote dort à la rue depuis une semaine", "friend"),
        ("ma mère a besoin de manger", "parent"),
        ("mon chum consomme trop", "partner"),
        ("ma blonde a besoin d'un test", "partner"),
        ("mon frère se drogue", "sibling"),
        ("mon gars de 16 ans consomme", "child"),
        ("un voisin a besoin de manger", "neighbour"),
        ("un chum à moi dort dans son char", "friend"),
        ("my son uses drugs", "child"),
        ("my brother is using again, where can he get help", "sibling"),
        ("my mom needs food", "parent"),
        ("asking for a friend", "friend"),
        ("it's for my wife", "partner"),
        ("my cousin needs a lawyer, he got arrested", "relative"),
        ("a friend of mine is homeless", "friend"),
        ("how can i help my neighbour, he's alone", "neighbour"),
        ("my 16 year old is using", None),  # the relation word is missing: not claimed
        ("je m'inquiète pour mon frangin, il zone dehors", "sibling"),
        ("worried about my son, he barely eats", "child"),
        ("ma daronne a plus rien à manger", "parent"),
        ("my sister did not eat in two days", "sibling"),
    ],
)
def test_asking_for_someone_else_names_the_relation(text: str, relation: str | None) -> None:
    assert reader.read(text).for_someone == relation
    assert relation is None or relation in RELATIONS


@pytest.mark.parametrize(
    "text",
    [
        "mon chum me frappe",
        "mon chum regarde mon cell",
        "mes parents m'ont mis dehors",
        "ma mère m'a sacré dehors",
        "mon ex me harcèle",
        "my boyfriend checks my phone",
        "my parents kicked me out",
        "je dors chez un ami",
        "j'habite avec ma mère",
        "un gars a besoin d'un lift",
        "une femme a besoin d'un refuge",
        "jai faim",
        "mon fils me manque",
        "im 14 and starving, my mom didnt leave any money",
        "my dad did not come home last night",
    ],
)
def test_the_persons_own_situation_is_not_someone_else(text: str) -> None:
    assert reader.read(text).for_someone is None


@pytest.mark.parametrize(
    "text",
    [
        "jveux parler a quelqu'un",
        "jdors dehors depuis 3 jours, jveux parler a quelqu'un",
        "je veux parler à un intervenant",
        "un intervenant svp",
        "intervenant",
        "humain",
        "j'ai besoin de parler à quelqu'un maintenant",
        "passe-moi quelqu'un de l'équipe",
        "jveux jaser avec un vrai humain svp",
        "est-ce qu'une intervenante peut m'écrire?",
        "je veux pas parler à un robot",
        "talk to a real person",
        "can i talk to someone",
        "i'd rather talk to an actual person",
        "i got evicted this morning, can i talk to a worker",
        "human please",
        "can someone from your team text me",
        "i'd like to talk with one of the street workers",
        "je dors dans ma caisse depuis une semaine, je voudrais qu'un éduc me rappelle",
        "could somebody from your team text me back",
    ],
)
def test_asking_for_a_human(text: str) -> None:
    assert reader.read(text).asks_human


@pytest.mark.parametrize(
    "text",
    [
        "je veux pas parler à quelqu'un",
        "je veux parler à personne",
        "c'est quoi un intervenant",
        "mon intervenant m'a dit d'écrire ici",
        "i don't want to talk to anyone",
        "what does an outreach worker do",
        "je parle à mon chum ce soir",
        "jai faim",
    ],
)
def test_not_asking_for_a_human(text: str) -> None:
    assert not reader.read(text).asks_human


@pytest.mark.parametrize(
    "text",
    [
        "Est-ce qu'un travailleur de rue peut venir me voir ?",
        "un intervenant pourrait tu passer me voir demain",
        "est-ce que quelqu'un de votre équipe peut me rejoindre au parc?",
        "je peux voir un éducateur de rue en vrai?",
        "je voudrais rencontrer une intervenante",
        "je voudrais un rendez-vous avec un travailleur de rue",
        "can an outreach worker meet me?",
        "can someone from your team come meet me downtown",
        "can i see a worker in person",
        "could someone come see me",
        "could i meet one of your street workers face to face somewhere downtown",
    ],
)
def test_asking_to_meet_a_worker_is_also_asking_for_a_human(text: str) -> None:
    cues = reader.read(text)
    assert cues.asks_meeting
    assert cues.asks_human


@pytest.mark.parametrize(
    "text",
    [
        "c'est quoi un travailleur de rue",
        "en vrai j'ai faim",
        "comment ça se passe un rendez-vous avec un travailleur de rue",
        "je veux voir un médecin",
        "what does an outreach worker do",
        "où je peux rencontrer du monde",
        "i met a worker yesterday",
    ],
)
def test_not_a_meeting_request(text: str) -> None:
    assert not reader.read(text).asks_meeting


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("on peut continuer en francais?", Language.FR),
        ("on peut continuer en français ?", Language.FR),
        ("vous parlez français?", Language.FR),
        ("en français svp", Language.FR),
        ("français svp", Language.FR),
        ("do you speak french", Language.FR),
        ("can we talk in french", Language.FR),
        ("i don't speak english well", Language.FR),
        ("je parle pas anglais", Language.FR),
        ("can we speak English?", Language.EN),
        ("can we switch to english please", Language.EN),
        ("en anglais svp", Language.EN),
        ("english please", Language.EN),
        ("english?", Language.EN),
        ("tu peux me répondre en anglais", Language.EN),
        ("je comprends pas le français", Language.EN),
        ("I don't speak French", Language.EN),
    ],
)
def test_asking_for_a_language(text: str, language: Language) -> None:
    assert reader.read(text).language_request is language


@pytest.mark.parametrize(
    "text",
    [
        "mon fils parle anglais",
        "je cherche un cours d'anglais",
        "j'ai besoin d'un avocat qui parle anglais",
        "i need a french class",
        "on peut continuer?",
        "bonjour",
    ],
)
def test_naming_a_language_is_not_asking_for_it(text: str) -> None:
    assert reader.read(text).language_request is None


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("oui", "yes"),
        ("Oui!", "yes"),
        ("ouiii", "yes"),
        ("ouais", "yes"),
        ("ouin", "yes"),
        ("ok", "yes"),
        ("ok merci", "yes"),
        ("d'accord", "yes"),
        ("ça marche", "yes"),
        ("oui svp", "yes"),
        ("yes", "yes"),
        ("yep", "yes"),
        ("yeah sure", "yes"),
        ("sure", "yes"),
        ("👍", "yes"),
        ("non", "no"),
        ("nan", "no"),
        ("non merci", "no"),
        ("bah non", "no"),
        ("ok non", "no"),
        ("pas vraiment", "no"),
        ("pantoute", "no"),
        ("nope", "no"),
        ("nah", "no"),
        ("no thanks", "no"),
        ("not really", "no"),
    ],
)
def test_short_yes_and_no(text: str, answer: str) -> None:
    assert reader.read(text).answer == answer


@pytest.mark.parametrize(
    "text",
    [
        "oui mais jai pas de place pour dormir",
        "non j'ai pas de carte soleil pis je veux voir un médecin",
        "yes i need a bed tonight and some food",
        "bonjour",
        "peut-être",
        "je sais pas",
        "maybe",
        "ok so where do i go now",
    ],
)
def test_longer_sentences_or_other_words_are_not_a_bare_answer(text: str) -> None:
    assert reader.read(text).answer is None


@pytest.mark.parametrize(
    ("text", "gender"),
    [
        ("je suis une femme", "woman"),
        ("chu une fille pis j'ai besoin d'un refuge", "woman"),
        ("jsuis une meuf", "woman"),
        ("je suis une femme trans", "woman"),
        ("I'm a woman", "woman"),
        ("as a woman i don't feel safe in shelters", "woman"),
        ("chu un gars", "man"),
        ("je suis un homme de 40 ans", "man"),
        ("I'm a guy", "man"),
        ("i am a man", "man"),
        ("je suis non binaire", "nonbinary"),
        ("je suis une personne non-binaire", "nonbinary"),
        ("i'm nonbinary", "nonbinary"),
        ("im enby", "nonbinary"),
    ],
)
def test_gender_said_of_oneself(text: str, gender: str) -> None:
    assert reader.read(text).gender == gender


@pytest.mark.parametrize(
    "text",
    [
        "je cherche un refuge pour femmes",
        "ma femme est malade",
        "une femme m'a aidé",
        "je suis une femme de ménage",
        "my girlfriend needs help",
        "un gars m'a volé",
        "je suis enceinte",
        "je suis trans",
    ],
)
def test_gender_is_not_guessed(text: str) -> None:
    assert reader.read(text).gender is None


@pytest.mark.parametrize(
    "text",
    [
        "mon chum regarde mon cell, il peut voir ça ?",
        "mon chum fouille dans mon tel",
        "ma mère check mon cell le soir",
        "il lit mes messages",
        "il a mon code de cell",
        "il connaît mon mot de passe",
        "si il voit ça je suis morte",
        "on partage le même cell",
        "my boyfriend checks my phone",
        "my husband goes through my phone, can he see this chat",
        "he reads my texts",
        "if he sees this",
        "we share a phone",
        "i need to delete this chat before he gets home",
    ],
)
def test_being_watched(text: str) -> None:
    assert reader.read(text).watched


@pytest.mark.parametrize(
    "text",
    [
        "quelqu'un a volé mon cell",
        "mon cell est brisé",
        "j'ai perdu mon téléphone",
        "comment supprimer la conversation après",
        "my phone is dead",
        "i lost my phone",
        "je regarde mon cell",
    ],
)
def test_not_being_watched(text: str) -> None:
    assert not reader.read(text).watched


@pytest.mark.parametrize(
    "text",
    [
        "je veux pas appeler personne",
        "jveux pu appeler",
        "j'ai pas envie d'appeler un numéro",
        "je peux pas appeler, j'ai pas de crédit",
        "j'appellerai personne",
        "i don't want to call anyone",
        "i can't call, no minutes left",
        "i won't call",
        "no calls please",
    ],
)
def test_refusing_or_unable_to_call(text: str) -> None:
    assert reader.read(text).refuses_call


@pytest.mark.parametrize(
    "text",
    [
        "je vais appeler ma mère",
        "call me maybe",
        "can you call me back",
        "pourquoi personne appelle",
    ],
)
def test_not_refusing_to_call(text: str) -> None:
    assert not reader.read(text).refuses_call


@pytest.mark.parametrize("text", ["", "   ", "jai faim", "where can i shower", "🙂"])
def test_plain_messages_have_no_cues(text: str) -> None:
    assert reader.read(text) == NO_CUES


def test_several_cues_in_one_message() -> None:
    cues = reader.read(
        "j'ai 16 ans, chu une fille, mon chum regarde mon cell, jveux parler à un intervenant"
    )
    assert (cues.age, cues.gender, cues.watched, cues.asks_human) == (16, "woman", True, True)
