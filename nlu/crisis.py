"""The deterministic crisis screen: compiled patterns for FR-QC, FR-FR and EN, no server.

Why rules and not the NLU: the screen must answer when Rasa is down, the same way every
time, and on every message. A missed crisis costs far more than a false alarm that a worker
closes in a minute, so the patterns err on flagging; the traps that would flood the staff
queue ("mort de rire", "this traffic is killing me"…) are excluded by precise patterns,
not by a confidence score.

How a text is read:

1. Unicode NFKD fold, accents dropped, lowercase (``Tuéé`` → ``tuee``).
2. Elongations collapsed (``mourirrrr`` → ``mourir``): any letter repeated 3+ times.
3. Punctuation becomes spaces; English contractions are expanded (``can't`` → ``can not``).
4. SMS tokens mapped (``jveu`` → ``je veux``, ``chu`` → ``je suis``, ``pu`` → ``plus``…).
5. Every doubled letter squeezed (``tuee`` → ``tue``, ``pillules`` → ``pilules``), so one
   misspelling class disappears. Patterns are written in plain spelling and squeezed the
   same way when compiled.
6. Spans that are known harmless ("signes d'une overdose", "overdose de Netflix") are masked.

Then every rule runs; the level is the highest found, and the category the most specific
one among the rules at that level.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from flows.understanding import NO_CRISIS, CrisisCategory, CrisisLevel, Screening

__all__ = ["DeterministicCrisisScreen", "fold", "normalise", "squeezed_pattern"]

# --- normalisation ------------------------------------------------------------------------

_LIGATURES: Final = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l"})
_ELONGATION: Final = re.compile(r"([a-z])\1{2,}")
_DOUBLED: Final = re.compile(r"([a-z])\1+")
# 💊 (pills) 🔪 (knife) 🔫 (gun) 🪢 (knot/rope) carry meaning: CTL found the pill emoji more
# predictive of an active rescue than most words.
_SIGNAL_EMOJI: Final = "\U0001f48a\U0001f52a\U0001f52b\U0001faa2"
_EMOJI_SPLIT: Final = re.compile(f"([{_SIGNAL_EMOJI}])")
_NON_TOKEN: Final = re.compile(f"[^a-z0-9{_SIGNAL_EMOJI}]+")
_NOT_CONTRACTION: Final = re.compile(
    r"\b(can|won|ain|do|does|did|is|are|was|were|have|has|had|could|would|should|must)"
    r"n?\s?['’`´]\s?t\b"
)
_NOT_EXPANDED: Final = {"can": "can", "won": "will", "ain": "is"}
_I_AM: Final = re.compile(r"\bi\s?['’`´]?\s?m\b")
_EN_SUFFIX: Final = re.compile(r"\b(i|you|we|they|he|she|who|that|it)\s?['’`´]\s?(ve|ll|d|re)\b")
_EN_SUFFIX_EXPANDED: Final = {"ve": "have", "ll": "will", "d": "would", "re": "are"}

# SMS and spoken spellings → one written form. Keys are looked up after squeezing, so
# ``jveuuux``, ``jveux`` and ``jveu`` all land on the same entry.
_SMS: Final[dict[str, str]] = {
    # French: subjects glued to verbs
    "jveux": "je veux",
    "jveu": "je veux",
    "jveut": "je veux",
    "jvx": "je veux",
    "jve": "je veux",
    "jvais": "je vais",
    "jvai": "je vais",
    "jva": "je vais",
    "jvas": "je vais",
    "jsuis": "je suis",
    "jsui": "je suis",
    "jsu": "je suis",
    "jss": "je suis",
    "chu": "je suis",
    "chui": "je suis",
    "chuis": "je suis",
    "chus": "je suis",
    "shui": "je suis",
    "jui": "je suis",
    "jme": "je me",
    "jm": "je me",
    "jmen": "je m en",
    "jen": "j en",
    "jpeux": "je peux",
    "jpx": "je peux",
    "jai": "j ai",
    "jais": "j ai",
    "g": "j ai",
    "jte": "je te",
    "mtuer": "me tuer",
    "mtue": "me tuer",
    # French: words
    "veu": "veux",
    "vx": "veux",
    "ve": "veux",
    "veus": "veux",
    "vai": "vais",
    "v": "vais",
    "sui": "suis",
    "suy": "suis",
    "swi": "suis",
    "pu": "plus",
    "pus": "plus",
    "plu": "plus",
    "pa": "pas",
    "ke": "que",
    "k": "que",
    "kel": "quel",
    "kelle": "quelle",
    "koi": "quoi",
    "kwa": "quoi",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "pr": "pour",
    "ds": "dans",
    "tt": "tout",
    "ts": "tous",
    "tte": "toute",
    "ttes": "toutes",
    "bcp": "beaucoup",
    "ya": "il y a",
    "yen": "il y en",
    "cest": "c est",
    "mourire": "mourir",
    "mouri": "mourir",
    "mouru": "mourir",
    "medoc": "medocs",
    "pillule": "pilule",
    "pillules": "pilules",
    "ki": "qui",
    # English
    "im": "i am",
    "ive": "i have",
    "wanna": "want to",
    "wana": "want to",
    "gonna": "going to",
    "gona": "going to",
    "gna": "going to",
    "imma": "i am going to",
    "ima": "i am going to",
    "u": "you",
    "ur": "your",
    "dont": "do not",
    "cant": "can not",
    "cannot": "can not",
    "wont": "will not",
    "isnt": "is not",
    "doesnt": "does not",
    "didnt": "did not",
    "wasnt": "was not",
    "hes": "he is",
    "shes": "she is",
    "theyre": "they are",
    "whats": "what is",
    "2": "to",
    "kms": "kill myself",
    "kys": "kill yourself",
    "pls": "please",
    "plz": "please",
}


def _squeeze(text: str) -> str:
    return _DOUBLED.sub(r"\1", text)


# Looked up first as written (after elongations collapse), then squeezed: a key whose squeezed
# form is another word ("tt" → "t", "ttes" → "tes") only matches as written.
_SMS_EXACT: Final[dict[str, str]] = {k: _squeeze(v) for k, v in _SMS.items()}
_SMS_SQUEEZED: Final[dict[str, str]] = {k: v for k, v in _SMS_EXACT.items() if _squeeze(k) == k}


def fold(text: str) -> str:
    """Casefold, ligatures spelled out, accents dropped (``Tuéé`` → ``tuee``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _token(token: str) -> str:
    mapped = _SMS_EXACT.get(token)
    if mapped is not None:
        return mapped
    squeezed = _squeeze(token)
    return _SMS_SQUEEZED.get(squeezed, squeezed)


def normalise(text: str) -> str:
    """The screen's reading of ``text``: folded, de-elongated, SMS-mapped, squeezed.

    The result starts and ends with a space and has single spaces between tokens.
    """
    folded = _ELONGATION.sub(r"\1", fold(text))
    folded = _NOT_CONTRACTION.sub(lambda m: f" {_NOT_EXPANDED.get(m[1], m[1])} not", folded)
    folded = _EN_SUFFIX.sub(lambda m: f"{m[1]} {_EN_SUFFIX_EXPANDED[m[2]]}", folded)
    folded = _I_AM.sub(" i am ", folded)
    folded = _EMOJI_SPLIT.sub(r" \1 ", folded)
    tokens = _NON_TOKEN.sub(" ", folded).split()
    return " " + " ".join(_token(t) for t in tokens) + " "


# --- patterns -----------------------------------------------------------------------------

_LETTER_RUN_IN_PATTERN: Final = re.compile(r"(?<!\\)([a-z])\1+")


def squeezed_pattern(source: str) -> re.Pattern[str]:
    """Compile a pattern written in plain spelling, squeezed like the normalised text.

    For patterns that run on ``normalise``'s output (this screen's and the cue reader's).
    """
    return re.compile(_LETTER_RUN_IN_PATTERN.sub(r"\1", source))


_rx = squeezed_pattern


def _gap(n: int) -> str:
    """Up to ``n`` whole words, lazily."""
    return rf"(?: \S+){{0,{n}}}?"


# Building blocks, in plain spelling (squeezed when compiled). Patterns run on normalised
# text: lowercase ASCII words separated by single spaces.
_ME = r"(?:me|m)"
_JE = r"(?:je|j|moi|moi je)"
_I = r"(?:i|i am|i have|i will|i would|i was)"
# Who else might hurt the person. "ca"/"ce X" are deliberately absent: "ça va me tuer" is a
# figure of speech, "il va me tuer" is a threat until a worker knows better.
_AGENT = (
    r"(?:il|elle|ils|elles|on|kil|quelqu un|un gars|un mec|un type|un homme|le gars|le mec"
    r"|(?:mon|ma|mes|son|sa|ses|le|la|les|leur|notre) \S+(?: \S+)?)"
)
_KIN_FR = (
    r"(?:pere|mere|parents|beau pere|belle mere|papa|maman|oncle|tante|grand pere|grand mere"
    r"|grand frere|grande soeur|frere|soeur|cousin|cousine|demi frere|parrain|gardien|gardienne"
    r"|prof|professeur|coach|entraineur|moniteur|monitrice|famille d accueil|tuteur|tutrice"
    r"|chum de ma mere|copain de ma mere|mec de ma mere|blonde de mon pere|copine de mon pere)"
)
_KIN_EN = (
    r"(?:dad|father|mom|mum|mother|parents|stepdad|step dad|stepfather|step father|stepmom"
    r"|step mom|stepmother|uncle|aunt|grandpa|grandfather|brother|sister|cousin|coach|teacher"
    r"|babysitter|foster \S+|mom s boyfriend|mums boyfriend|mother s boyfriend)"
)
_PARENT = rf"(?:(?:mon|ma|mes) {_KIN_FR}|my {_KIN_EN})"
_PERSON_EN = (
    r"(?:he|she|they|someone|somebody|a guy|some guy|a man|this guy|my (?:boyfriend|bf"
    r"|husband|hubby|wife|girlfriend|gf|partner|ex|ex boyfriend|ex husband|ex girlfriend"
    r"|ex wife|roommate|room mate|pimp|dealer|landlord|boss|neighbour|neighbor|son|daughter"
    rf"|{_KIN_EN[3:-1]}))"
)
_INTENT_FR = (
    r"(?<!ca )(?<!cela )(?<!ce )(?:veux|veut|voudrais|voudrait|vais|va|vas|compte|aimerais"
    r"|pense|pense a|penser a|prevois de|ai decide de|decide de|dois|prefere|prefererais"
    r"|ai envie de|ai le gout de|ai hate de|suis pret a|suis prete a|vais aller|peux|devrais"
    r"|essaye de|essaie de|essayer de|ai essaye de|tente de|ai tente de|finir par|finirai par)"
)
# "suicide", "suicider", "sucide", "suiside", "suicidaire"…
_SUICID = r"(?:s(?:ui|u|iu|wi|uy)[cs]i?d(?:e|er|es|ez|ee|ais|ait|erai|erais|aire|aires|al|ale)?)"
_KILL_SELF_FR = (
    r"(?:tuer|tue|tues|tuez|buter|bute|noyer|empoisonner|achever)"
    r"(?! (?:a la tache|au travail|a l ouvrage|au boulot|a force de|de rire|a la job))"
)
# These cannot mean anything else after "me": no intent verb needed.
_THROW = r"(?:jeter|lancer|pitcher|garocher|crisser|calisser|sacrer)"
_KILL_SELF_FR_ALONE = (
    rf"(?:{_SUICID}|foutre en l air|fout en l air|flinguer|pendre|pend(?! au nez)"
    rf"|{_THROW} (?:en bas|sous|devant|du haut|dans le vide|par la fenetre|du pont)"
    r"|tirer une bale|tirer dans la tete|ouvrir les veines|taillader les veines"
    r"|couper les veines|trancher les veines|defenestrer|immoler|enlever la vie|oter la vie"
    r"|faire sauter la cervelle|faire sauter la tete)"
)
_PILLS = (
    r"(?:pilules|pilule|comprimes|comprime|cachets|cachet|medocs|medicaments|medicament|pills"
    r"|pill|meds|tablets|tylenol|advil|motrin|aspirine|aspirin|ibuprofene|ibuprofen"
    r"|paracetamol|acetaminophene|acetaminophen|doliprane|efferalgan|dafalgan|somniferes"
    r"|somnifere|sleeping pills|ativan|xanax|valium|clonazepam|rivotril|lorazepam|seroquel"
    r"|quetiapine|zopiclone|benzos|antidepresseurs|antidepressants|insuline|insulin|lithium"
    r"|opioides|opioids|dilaudid|morphine|oxy|oxys|oxycodone|fentanyl|fent|methadone|suboxone"
    r"|\U0001f48a)"
)
# "All of them": enough to read a plan or an overdose into "take"/"took".
_LOT = (
    r"(?:toutes|tous|tout|toute|toute la boite|toute ma boite|toute une boite|une boite"
    r" entiere|tout le pot|toute la bouteille|toute une bouteille|une poignee|des poignees"
    r"|une tonne|\d{2,}|all|all of|a whole bottle|the whole bottle|a whole|the whole|a handful"
    r"|handful|a bunch|too many|way too many|every|every single|la moitie de|la moitie d"
    r"|la moitie|half|half of|half the|half a)"
)
# Enough to read an overdose into "took", not a plan into "take".
_LOT_TAKEN = rf"(?:{_LOT}|plein|beaucoup|trop|tellement|a lot|lots|so many|too much|trop de)"
_POSSESSIVE = r"(?:mes|ses|les|ma|sa|la|de|des|d|du|my|his|her|the|of|of my|of his|of her)"
_NOT_FIGURATIVE_FR = (
    r"(?! (?:de|d) (?:rire|honte|faim|froid|chaud|fatigue|ennui|soif|peur|envie|jalousie"
    r"|impatience|stress|plaisir|bonheur|dodo|sommeil)\b)"
)
_NOT_FIGURATIVE_EN = (
    r"(?! (?:of|from) (?:laughter|laughing|boredom|embarrassment|hunger|cold|heat|shame"
    r"|cringe|jealousy|thirst)\b)(?! laughing\b)"
)
# "vivre" about a place or a person is housing or family, not life.
_NOT_A_PLACE = (
    r"(?! (?:ici|la bas|labas|avec|chez|dans|a|au|aux|en|pres|sur|seul|seule|comme un"
    r"|here|there|with|in|at|near|next|alone|on|downtown|together|like a)\b)"
)
_NOT_NERVES = r"(?! sur (?:les|le|mes|mon) (?:nerfs|systeme|gros nerf))"
_CUT_NOT_SELF_HARM = (
    r"(?!(?: \S+){0,2} (?:cheveux|cheveu|ongles|frange|barbe|doigt|doigts|pain|legumes"
    r"|oignon|oignons|en cuisinant|en me rasant|la parole|du monde|de tout le monde|les ponts"
    r"|l appetit|en deux|la faim|le souffle|des reseaux|du reseau|d internet|des ecrans"
    r"|le courant|l electricite|l eau|le chauffage|le gaz|le telephone|les vivres|l aide"
    r"|les aides|le cheque|mon cheque|les allocations|le rsa|de ma famille|de mes amis)\b)"
)


@dataclass(frozen=True, slots=True)
class _Rule:
    category: CrisisCategory
    level: CrisisLevel
    pattern: re.Pattern[str]


def _rules(category: CrisisCategory, level: CrisisLevel, *sources: str) -> tuple[_Rule, ...]:
    return tuple(_Rule(category, level, _rx(source)) for source in sources)


_S, _SH, _OD = CrisisCategory.SUICIDE, CrisisCategory.SELF_HARM, CrisisCategory.OVERDOSE
_V, _CA, _O = CrisisCategory.VIOLENCE, CrisisCategory.CHILD_ABUSE, CrisisCategory.OTHER
_SA = CrisisCategory.SEXUAL_ASSAULT
_URGENT, _CONCERN = CrisisLevel.URGENT, CrisisLevel.CONCERN

_MINOR_AGE: Final = _rx(
    r"\b(?:j ai|i am|age de|agee de|aged|only|seulement) (?:que |seulement |only |juste )?"
    r"(?:[5-9]|1[0-7])(?: ans| an| yo| y o| years?(?: old)?)?\b"
    r"|\b(?:[5-9]|1[0-7]) (?:ans|yo|years old)\b"
)

_OVERDOSE_URGENT = _rules(
    _OD,
    _URGENT,
    r"\b(?:fait|fais|font|faites|en train de faire|vient de faire|a fait|est en|en)"
    r" (?:une |un )?(?:od|overdose|surdose|ode)\b",
    r"\b(?:il|elle|ils|elles|mon \S+|ma \S+|he|she|they|friend|buddy|someone|somebody"
    r"|my \S+) (?:a |is |s |are |just |has |est )?(?:od|ode|oded|od ing|oding|overdosed"
    r"|overdosing|en od|en overdose|en surdose|went od|going od)\b",
    r"\boverdosing\b|\bod ing\b|\boding\b|\boverdosed\b",
    r"\b(?:respire|respir|respirs|respirent|breathing|breathe|breathes) (?:plus|pas|presque"
    r" plus|presque pas|quasiment plus|quasiment pas|pratiquement plus|pratiquement pas"
    r"|bizarre|bizarrement|lentement|tres lentement|tres peu|a peine)\b(?! bien\b)",
    r"\b(?:not|is not|stopped|barely|hardly|no longer|are not) breathing\b",
    r"\b(?:se|s) reveille (?:plus|pas)\b(?! (?:le matin|les matins|a temps|pour|avant|assez"
    r"|tot|a l heure|la nuit|de bonne heure|facilement))",
    r"\b(?:peux|peut|arrive|arrivons|arrivent|reussis|parviens|capable|capables) (?:pas|plus)"
    r" (?:a |de )?(?:le|la|les|l) reveiller\b|\bpas capable de (?:le|la|les|l) reveiller\b",
    r"\b(?:will not|can not|does not|is not|not) (?:wake|waking) (?:up|him|her|them)\b"
    r"(?! (?:in the morning|early|on time|for school|for work))|\bunresponsive\b",
    r"\b(?:inconscient|inconsciente|perdu connaissance|sans connaissance|unconscious"
    r"|passed out and)\b",
    r"\b(?:convulse|convulsent|convulsions|en convulsion|convulsing|seizing|having a seizure"
    r"|having seizures|crise d epilepsie|fait une crise d epilepsie)\b(?! (?:pas|plus|jamais"
    r"|not|never)\b)",
    r"\b(?:il|elle|ils|elles|mon \S+|ma \S+|he|she|they|my \S+)(?: \S+){0,2}? (?:repond|reponds"
    r"|repondent|reagit|reagissent) (?:plus|pu|pas|presque plus|a rien|plus a rien)\b"
    r"(?! (?:a|au|aux|sur|depuis|de|quand|mes|ses|messages|textos))",
    r"\b(?:levres|levre|bouche|visage|doigts|ongles|peau|lips|face|fingers|fingertips|skin)"
    r"(?: \S+){0,3}? (?:bleu|bleus|bleue|bleues|mauve|mauves|violet|violets|violette"
    r"|violettes|gris|grise|blue|purple|grey|gray)\b",
    r"\b(?:il est|elle est|devient|vire|turning|turned|he is|she is|he s|she s)"
    r" (?:tout |toute |all )?(?:bleu|bleue|blue)\b",
    r"\b(?:pris|pri|prise|avale|avalee|gobe|bu|ingere|took|taken|swallowed|popped|ate|downed)"
    rf"(?: \S+){{0,2}}? {_LOT_TAKEN}(?: {_POSSESSIVE})?(?: \S+)?? {_PILLS}",
    # Past tense only: "j'ai fumé trop de crack" is an overdose, "je fume trop" a habit.
    r"\b(?:(?:ai|a|as|avons|avez|ont|viens de|vient de) (?:\S+ )?(?:pris|consomme|shoote"
    r"|sniffe|fume|bu)|took|taken|used|did|smoked|snorted|shot up)"
    r" (?:trop|too many|too much|way too much|way too many) (?:de |d |of )?(?:\S+ )?"
    rf"(?:{_PILLS}|dope|drogue|drug|drugs|heroine|heroin|coke|cocaine|crack|speed|ghb|down"
    r"|crystal|meth|ketamine|k)\b",
    r"\b(?:pris|pri|avale|avalee|gobe|took|swallowed|popped|downed)(?: \S+){0,4}? (?:boite"
    r"|boites|bouteille|plaquette|plaquettes|pot|tube|bottle|pack|box|blister|strip)"
    rf" (?:de |d |of )?(?:mes |ses |my |his |her )?{_PILLS}",
    r"\b(?:lui|leur|y|l|him|her|them) (?:ai |a |avons |ont |on a )?(?:donne|injecte|mis"
    r"|administre|gave|given|sprayed|injected)(?: \S+){0,2}? (?:naloxone|narcan)\b",
    r"\b(?:gave|given|giving|sprayed|spraying|injected|injecting) (?:him|her|them)"
    r"(?: \S+){0,2}? (?:naloxone|narcan)\b",
    r"\b(?:il|elle|ils|elles|mon \S+|ma \S+) (?:ne )?(?:bouge|bougent|reagit|reagissent)"
    r" (?:plus|pas|presque plus)\b",
    r"\b(?:he|she|they|my \S+) (?:is |s |are )?(?:not moving|stopped moving|not responding"
    r"|stopped responding|not reacting)\b",
    r"\b(?:il|elle|ils|elles|mon \S+|ma \S+) (?:ne )?(?:repond|reagit|repondent|reagissent)"
    r" (?:plus|pas) (?:a rien|du tout|quand je (?:le|la|les) (?:secoue|touche|pince|appelle))\b",
    r"\b(?:yeux fermes|yeux ouverts mais|les yeux dans le vide)\b(?: \S+){0,6}? (?:repond"
    r"|reagit|bouge|respire) (?:plus|pas)\b|\beyes (?:are )?closed\b(?: \S+){0,6}? (?:not"
    r" responding|won t respond|will not respond|not moving|not breathing)\b",
    r"\b(?:won t|will not|does not|doesn t) (?:respond|react|answer) (?:to anything|at all|when"
    r" i (?:shake|touch|call) (?:him|her|them))\b",
    r"\b(?:par terre|tombe|tombee|effondre|effondree|couche|collapsed|on the floor|on the"
    r" ground)\b(?: \S+){0,6}? (?:repond|reagit|responding|answering) (?:plus|pas|not)?\b"
    r"|\b(?:repond|reagit) (?:plus|pas)\b(?: \S+){0,6}? (?:par terre|tombe|tombee|effondre)\b",
)

_SUICIDE_URGENT = _rules(
    _S,
    _URGENT,
    # a means and a time: "je vais avaler les cachets de ma mère ce soir"
    r"\b(?:vais|veux|va|vas|going to|gonna|will|want to) (?:(?:avaler|gober|me taper|swallow"
    r"|down) (?:tous |toutes |toute |all |all of )?(?:les|mes|ses|des|my|the|his|her)|(?:prendre"
    r"|take|pop) (?:tous|toutes|all|all of) (?:les|mes|ses|my|the|his|her)|(?:avaler|gober"
    r"|prendre|swallow|take|down) (?:la boite de|la plaquette de|le pot de|la bouteille de"
    r"|a bottle of|the whole bottle of|the whole))"
    rf"(?: \S+){{0,3}}? {_PILLS}\b(?: \S+){{0,6}}? (?:ce soir|cette nuit|tonight|maintenant"
    r"|tout de suite|d un coup|en meme temps|pour en finir|pour dormir pour toujours|at once"
    r"|right now|to end it|and never wake up|pour plus me reveiller)\b",
    rf"\b{_JE}\b{_gap(3)} {_INTENT_FR}{_gap(2)} {_ME} {_KILL_SELF_FR}\b",
    rf"\b(?:envie|gout|idee|idees|pensees|pense|penser|hate|besoin|essaye|essayer|tente"
    rf"|tenter) (?:de|d|a) {_ME} {_KILL_SELF_FR}\b",
    rf"\b{_ME} {_KILL_SELF_FR_ALONE}\b",
    r"\b(?:suicidaire|suicidaires|suicidal|suicidale)\b",
    rf"\b(?:{_JE}|{_I}|my|mon|ma)\b{_gap(4)} (?:{_SUICID}|sewerslide|sewer slide)\b",
    rf"\b(?:tentative|tentatives|tente|essaye|essaie|attempt|attempted|attempting|try|trying"
    r"|tried|pensees|pensee|idees|idee|thoughts|thinking|penser|pense|plan|plans"
    rf"|planning) (?:de |d |of |to |about |au |a )?(?:me |commit )?{_SUICID}\b",
    r"\b(?:mettre|met|mis|mettrai) fin (?:a|au) (?:mes|ma|mon|mes propres|ma propre)"
    r" (?:jours|vie|existence|souffrance)\b",
    r"\ben finir\b(?! (?:avec|de) (?:ce|cet|cette|mon|ma|mes|les|le|la|l|ca|un|une|ces|son|sa"
    r"|ses|notre|nos|votre|vos|leur|leurs|tes|ton|ta) (?!vie\b))",
    r"\b(?:veux|veut|voudrais|voudrait|vais|va|envie de|envie d|gout de|aimerais|prefere"
    r"|prefererais|souhaite|pret a|prete a|laisser|laisse|me laisser|hate de|decide de"
    r"|souhaiterais|prie pour|besoin de) (?:juste |vraiment |seulement |tellement |tant )?"
    rf"(?:mourir|crever|creve|disparaitre pour toujours|partir pour de bon)"
    rf"{_NOT_FIGURATIVE_FR}\b",
    r"\b(?:plus|pas|aucune|jamais) (?:envie|le gout|la force|de raison|raison) (?:de|d)"
    rf" (?:vivre|exister|continuer a vivre|etre en vie|rester en vie)\b{_NOT_A_PLACE}",
    r"\b(?:veux|veut|voudrais|aimerais|peux|vais) (?:plus|pas|jamais) (?:vivre|exister"
    rf"|etre en vie|rester en vie|continuer a vivre)\b{_NOT_A_PLACE}",
    r"\b(?:veux|voudrais|prefere|prefererais|aimerais|serais mieux|serait mieux|vaut mieux"
    r"|serions mieux) (?:etre )?(?:mort|morte|morts|mortes|sous terre|six pieds sous terre)\b",
    r"\b(?:lettre|mot|message|lettres|mots) d adieu\b|\bdire adieu a (?:tout le monde|tous"
    r"|vous|la vie|ce monde)\b|\bmes derniers mots\b",
    r"\b(?:ai|acheter|achete|trouve|prepare) (?:une |la |ma )?corde\b(?! (?:a linge|a sauter"
    r"|a danser|pour (?:ma|la|mon|le) (?:tente|sac|velo|linge|bateau)))",
    r"\b(?:sauter|saute|me jeter|me lancer|plonger|jump|jumping|jumped|leap|throw myself)"
    r"(?: \S+){0,4}? (?:pont|toit|immeuble|balcon|edifice|building|falaise|fenetre|viaduc"
    r"|bridge|roof|rooftop|cliff|window|overpass)\b",
    r"\bbridge jump",
    r"\b(?:sur|du haut du|au bord du|en haut du|on|on top of|at the edge of|off) (?:le |la |un"
    r" |une |the |a )?(?:pont|toit|balcon|viaduc|falaise|rebord|bridge|roof|rooftop|ledge"
    r"|cliff|overpass)\b(?: \S+){0,6}? (?:sauter|saute|me jeter|me lancer|jump|jumping|let go"
    r"|me laisser tomber)\b",
    rf"\b(?:stockpiling|stockpiled|stockpile|saving up|saved up|hoarding|hoarded|stocke"
    rf"|stocker|stockees|accumule|accumuler|mis de cote|mets de cote)(?: \S+){{0,2}}? {_PILLS}"
    rf"|\b{_PILLS} (?:saved up|stockpiled|de cote|en reserve pour)\b",
    r"\b(?:kill|killing|killed|kil) (?:my ?self|meself|myslef|mysef)\b(?! laughing| lol)",
    r"\b(?:end|ending|take|taking|took) (?:my own life|my life|it all|my own)\b",
    r"\b(?:unalive|unaliving) (?:my ?self|me)\b|\bunalive\b",
    r"\b(?:end|ending) (?:it|things)(?: all| for good| tonight| now| today)?\b(?! (?:with"
    r"|at work))",
    r"\b(?:want|wants|wanted|ready|plan|planning|deserve|deserve to|wish|would like|need)"
    r" (?:to|i could|i can) (?:die|be dead|not exist|not be alive|not be here)"
    rf"{_NOT_FIGURATIVE_EN}\b",
    r"\b(?:wish i was|wish i were|i should be|better off) dead\b",
    r"\b(?:do not|never) (?:want|wanna|wish) (?:to )?(?:live|be alive|exist|be here anymore)"
    rf"\b{_NOT_A_PLACE}",
    r"\b(?:no|nothing to|no reason to|nothing left to) live for\b|\bno reason to live\b"
    r"|\bnot worth living\b",
    r"\b(?:hang|hanging|shoot|shooting|drown|drowning|poison|poisoning|stab|stabbing|slit"
    r"|slitting|overdose|od) (?:my ?self|my wrists|my throat)\b(?! (?:on (?:coffee|sugar|candy"
    r"|chocolate|tv|netflix)|in the foot))",
    r"\b(?:overdose|od|overdosing) on purpose\b",
    r"\b(?:suicide note|goodbye note|goodbye letter|farewell letter|goodbye forever"
    r"|goodbye everyone|goodbye world|say goodbye to everyone)\b",
    r"\bnoose\b|\bgun to my head\b|\bgun in my mouth\b|\bpistol to my head\b",
    r"\b(?:arme|gun|fusil|pistolet|flingue) (?:sur|contre|dans) (?:la|ma) (?:tempe|tete"
    r"|bouche)\b",
    rf"\b(?:prendre|avaler|gober|take|swallow|pop|ingerer)(?: \S+){{0,2}}? {_LOT}"
    rf"(?: {_POSSESSIVE})?(?: \S+)?? {_PILLS}",
    rf"\b(?:toutes|tous|tout|toute) (?:mes|ma) (?:\S+ )?{_PILLS}",
    rf"\ball (?:my|of my) (?:\S+ )?{_PILLS}",
    rf"\b(?:toute la|toute une|toute ma|a whole|whole|entire|an entire|the whole) (?:boite"
    rf"|bouteille|plaquette|bottle|pack|box|jar) (?:de|d|of) {_PILLS}",
)

_WEAPON = (
    r"(?:couteau|couteaux|arme|armes|arme a feu|gun|guns|fusil|pistolet|flingue|machette|hache"
    r"|knife|knives|pistol|rifle|shotgun|weapon|blade|\U0001f52a|\U0001f52b)"
    r"(?! (?:suisse|a beurre|a pain|swiss|butter)\b)"
)
# Who may break a door down: a person, not "le concierge" fixing a pipe.
_DOOR_AGENT = (
    r"(?:il|elle|ils|elles|on|quelqu un|un gars|un mec|un type|des gars|(?:mon|ma|mes|son|sa"
    rf"|ses|notre) \S+(?: \S+)?|{_PERSON_EN})"
)
_VIOLENCE_URGENT = _rules(
    _V,
    _URGENT,
    rf"\b{_AGENT}{_gap(3)} (?:va|vas|veut|vont|veulent|menace de|menace|a menace de|m a"
    r" menace de|m a menacee de|essaie de|essaye de|a essaye de|a voulu|pourrait|risque de"
    r"|finira par|allait|voulait|vient d essayer de|peut) (?:\S+ )?(?:me|m) (?:tuer|tue"
    r"|buter|flinguer|egorger|etrangler|poignarder|tirer dessus|descendre|crever|violer"
    r"|defoncer la tete|frapper a mort|achever)\b",
    r"\bmenaces? de mort\b|\bdeath threats?\b|\bthreat(?:s|ened|ening)? to kill\b",
    rf"\b{_PERSON_EN}(?: is| s| are| has| was)? (?:going to|will|wants to|want to|trying to"
    r"|tried to|threatened to|threatens to|threatening to|said he would|said she would"
    r"|said they would|about to) (?:kill|murder|stab|shoot|strangle|choke|rape) me\b",
    rf"\b{_PERSON_EN} (?:is |s |are )?(?:killing|choking|strangling|stabbing|raping"
    r"|suffocating) me\b",
    rf"\b(?:{_I}|{_JE}) (?:\S+ )?(?:going to|will|want to|vais|veux|va) (?:kill"
    r"|murder|stab|shoot) (?:him|her|them|someone|somebody|everyone|everybody|my \S+"
    r"|that \S+|this \S+)\b",
    rf"\b{_JE}(?: \S+)? (?:vais|veux|va|vas) (?:le|la|les|l|lui) (?:tuer|buter|flinguer"
    r"|egorger|poignarder|etrangler|descendre|crever)\b",
    rf"\b{_JE}(?: \S+)? (?:vais|veux|va|vas) (?:tuer|buter|flinguer|egorger|poignarder"
    r"|descendre) (?:quelqu un|tout le monde|mon|ma|mes|ce|cet|cette|le gars|le mec|lui"
    r"|elle|eux|mon ex|ma mere|mon pere)\b",
    rf"\b(?:il|elle|ils|on|quelqu un|un gars|le gars|un mec|un type|mon \S+|ma \S+|he|she"
    rf"|they|someone|somebody|a guy|some guy|this guy|my \S+)(?: \S+){{0,2}}? (?<!y )(?:a|avait"
    r"|sorti|sort|tient|pointe|brandit|has|had|has got|s got|got|pulled|pulls|pointed|pointing"
    r"|holding|waving|brandishing) (?:un|une|son|sa|a|his|her|the|des|le|la|ses)? ?"
    rf"{_WEAPON}",
    rf"\b(?:menace|menacee|menacent|threatened|threatening|threatens)(?: \S+){{0,3}}? (?:avec"
    rf"|with) (?:un|une|son|sa|a|his|her|the)? ?{_WEAPON}",
    r"\b(?:couteau|knife|arme|gun) (?:sous|sur|on|to|at) (?:la|ma|my) (?:gorge|throat|tete"
    r"|head)\b",
    r"\b(?:poignarde|poignardee|poignarder|stabbed|egorge|egorgee)\b",
    r"\b(?:un gars|un homme|un mec|un type|quelqu un|une personne|des gars|someone|a guy"
    r"|a man|some guy|a person) (?:\S+ ){0,2}?(?:avec|with|arme d|armed with|qui a) (?:un|une"
    rf"|a|des)? ?{_WEAPON}",
    r"\b(?:il est|elle est|ils sont|he is|he s|she is|she s|they are|someone is) (?:arme"
    r"|armee|armes|armed)\b",
    r"\b(?:got|been|was|were|i am|i have been) (?:just )?shot\b|\bshot (?:me|at me|him|her"
    r"|them|my \S+)\b(?! (?:a|an) (?:text|message|email|dm|look))",
    r"\b(?:m a|m ont|on m a) tire dessus\b|\b(?:tire|tirer|tirent) (?:sur moi|dessus)\b",
    rf"\b{_AGENT} (?:m|me|nous|m a|m ont) (?:etrangle|etranglee|etrangler|etouffe|etouffer)\b",
    r"\b(?:peur|fear|afraid|scared) (?:pour|for) (?:ma|my) (?:vie|life)\b",
    r"\b(?:va|veut|vont|menace de|going to|threatened to|wants to) (?:me )?(?:violer"
    r"|rape me)\b",
    # someone breaking in, now
    rf"\b{_DOOR_AGENT}(?: \S+){{0,4}}? (?:defonce|defoncent|defoncer|enfonce|enfoncent|enfoncer"
    r"|casse|cassent|casser|fesse dans|frappe dans|cogne dans|cognent dans|frappent dans"
    r"|fessent dans|kick|kicks|kicking|kicked|break|breaks|breaking|broke|bang|bangs|banging"
    r"|smash|smashes|smashing|pound|pounds|pounding) (?:in |down |on |through )?(?:la|ma|notre"
    r"|the|my|our|a) (?:porte|door|fenetre|window)\b(?!(?: \S+){0,6}? pour (?:reparer|sauver"
    r"|aider|m aider|le sauver|la sauver))",
    rf"\b{_PERSON_EN}(?: is| s| are)? (?:trying to|about to|going to) (?:break|get|come|force"
    r" (?:his|her|their) way) (?:in|into my|into the|down the door)\b",
    r"\b(?:il|elle|ils|quelqu un|mon ex|he|she|they|someone|my ex) (?:\S+ )?(?:essaie|essaye"
    r"|essayent|tente|tentent) (?:de |d )?(?:rentrer|entrer|defoncer|forcer la porte)\b"
    r"(?: \S+){0,4}? (?:force|peur|aide|help|police|vite|chez moi|dans l appart)\b",
    r"\b(?:break|breaking|broke|kick|kicking|kicked) (?:down |in )?(?:the|my|our) door\b"
    r"|\b(?:the|my) door (?:in|down)\b(?: \S+){0,4}? (?:scared|help|now)\b",
    # someone hitting the person or a parent, now: "il cogne ma mère là maintenant"
    rf"\b(?:{_AGENT}|{_PERSON_EN}|y)(?: \S+){{0,4}}? (?:frappe|frappent|cogne|cognent|tabasse"
    r"|tabassent|bat|battent|fesse|fessent|tape|tapent|beating|beats|hitting|hits|punching"
    r"|slapping|kicking|choking|strangling|hurting|crisse des volees a|crisse une volee a)"
    r" (?:up )?(?:sur )?(?:ma|mon|me|m|moi|my|me|on my|nous|us|ma petite|mon petit)\b"
    r"(?! (?:porte|door|fenetre|window|mur|wall|table|balle|ball|ballon|vitre|char|car)\b)"
    r"(?: \S+){0,6}? (?:la maintenant|maintenant|en ce moment|right now|now|as we speak"
    r"|pendant que j ecris|while i type|ce soir|tonight)\b",
    # "y me crisse des volées": being beaten, said the Québec way, or hunted in the house
    r"\b(?:me|m) (?:crisse|crissent|sacre|sacrent|donne|donnent|met|mettent|fout|foutent)"
    r" (?:des|une) (?:volees|volee|raclee|raclees|taloches|claques|coups de poing)\b"
    r"(?: \S+){0,8}? (?:la|maintenant|ce soir|cherche|peur|cache|cachee|aide)\b",
    rf"\b(?:{_AGENT}|{_PERSON_EN}|y)(?: \S+){{0,2}}? (?:me cherche|me cherchent|me trouve pas"
    r"|is looking for me|s looking for me|are looking for me|is coming for me|s coming for"
    r" me|is going to come for me|gonna come for me|will come for me|going to come after me"
    r"|coming after me)\b(?!(?: \S+){0,3}? (?:pour|to) (?:me|m) (?:rendre|donner|dire|parler"
    r"|aider|ramener|inviter|give|return|help|pick))(?: \S+){0,4}? (?:dans la maison|dans l"
    r" appart|dans la chambre|in the house|next|now|right now|maintenant|en ce moment|tonight"
    r"|ce soir)\b",
)

_CHILD_ABUSE_URGENT = _rules(
    _CA,
    _URGENT,
    rf"\b{_PARENT}(?: \S+){{0,2}}? (?:me|m|m a|m ont) (?:touche|touchee|touchait|tripote"
    r"|tripotait|viole|violee|violait|agresse|agressee|abuse|abusee|force a|oblige a|fait des"
    r" choses|montre son|montre ses)\b",
    rf"\b{_PARENT}(?: \S+){{0,2}}? (?:touches|touched|abuses|abused|rapes|raped|molests"
    r"|molested|forces|forced|makes) me\b",
    r"\b(?:un adulte|un grand|un homme|une femme|un monsieur) (?:m a|me|m) (?:touche|touchee"
    r"|tripote|viole|violee)\b",
    r"\b(?:an adult|a grown up|a man|an old man|a teacher|someone|somebody) (?:touched"
    r"|touches|molested|keeps touching) me\b",
    r"\b(?:touche|touchait|tripote|touches|touched|touching) (?:mes|mon|ma|my) (?:parties"
    r"|zizi|pipi|seins|fesses|sexe|private parts|privates|private)\b|\btouche en bas\b"
    r"|\btouches me (?:there|down there|where)\b",
    r"\b(?:frappe|bat|battu|touche|viole|tripote|agresse|hits|beats|touches|abuses"
    r"|molests|rapes) (?:ma|mon|mes|sa|son|ses|my|his|her|our|notre|nos) (?:fille|fils"
    r"|enfant|enfants|petite soeur|petit frere|bebe|neveu|niece|daughter|son|kid|kids|child"
    r"|children|little sister|little brother|baby|stepdaughter|stepson)\b",
)

_NIGHT_VISITOR = (
    rf"(?:{_PARENT}|(?:le|son|the) (?:chum|copain|mec|boyfriend|bf) (?:de ma mere|of my mom"
    r"|of my mum|de ma mere)|my mom s boyfriend|my mum s boyfriend)"
)
_STEP_KIN = (
    r"(?:(?:mon|ma|mes) (?:beau pere|belle mere|oncle|parrain|cousin|demi frere|tuteur|gardien)"
    r"|my (?:stepdad|step dad|stepfather|step father|stepmom|step mom|stepmother|uncle|cousin"
    r"|stepbrother|step brother|guardian)|(?:le|son|the) (?:chum|copain|mec|boyfriend|bf)"
    r" (?:de ma mere|of my mom|of my mum)|my (?:mom|mum|mother) s boyfriend)"
)
_INTO_MY = (
    r"(?:vient|viens|venait|rentre|entre|rentrait|entrait|se glisse|se couche|se colle|comes"
    r"|came|sneaks|snuck|keeps coming|gets|got|climbs|crawls|lies down) (?:\S+ )?(?:dans"
    r"|into|in|in to|sur|on) (?:ma|mon|my)"
)
_CHILD_ABUSE_AT_NIGHT = _rules(
    _CA,
    _URGENT,
    # a step-parent (or the like) in the child's room; any parent in the child's bed
    rf"\b{_STEP_KIN}(?: \S+){{0,2}}? {_INTO_MY} (?:chambre|lit|room|bed|bedroom)\b",
    rf"\b{_NIGHT_VISITOR}(?: \S+){{0,2}}? {_INTO_MY} (?:lit|bed)\b",
    rf"\b{_NIGHT_VISITOR}(?: \S+){{0,3}}? (?:la nuit|le soir|quand (?:ma mere|mon pere|tout"
    r" le monde|maman|papa) (?:dort|est pas la|travaille)|at night|when (?:my mom|my mum|my"
    r" dad|everyone) (?:is asleep|sleeps|is at work|is out)|when i am asleep)\b(?: \S+){0,4}?"
    r" (?:chambre|lit|room|bed|touche|touches|touch)\b",
)

_CHILD_ABUSE_CONCERN = _rules(
    _CA,
    _CONCERN,
    rf"\b{_PARENT}(?: \S+){{0,2}}? (?:me|m|m a|m ont|nous) (?:frappe|frappent|frappait|bat"
    r"|battent|battait|battu|battue|tape|tapent|tapait|cogne|cognent|enferme|enfermait|brule"
    r"|etrangle|attache|prive de manger|maltraite|maltraitent|fait du mal|gifle|giflent"
    rf"|tabasse|tabassent)\b{_NOT_NERVES}",
    rf"\b{_PARENT}(?: \S+){{0,2}}? (?:hits|hit|beats|beat|punches|punched|slaps|slapped"
    r"|kicks|kicked|chokes|choked|hurts|hurt|burns|burned|locks|locked|starves|abuses"
    r"|abused) (?:me|us)\b",
    r"\b(?:maltraitance|enfant maltraite|enfance en danger|child abuse|abused as a child"
    r"|abus sexuels?|inceste|incest)\b",
)

_VIOLENCE_CONCERN = _rules(
    _V,
    _CONCERN,
    rf"\b{_AGENT}(?: \S+){{0,2}}? (?:me|m|m a|m ont|nous) (?:frappe|frappee|frappent|frappait"
    r"|bat|battent|battait|battu|battue|cogne|cognee|tape|tapee|tabasse|tabassee|gifle|giflee"
    r"|etrangle|brutalise|brutalisee|maltraite|maltraitee|enferme|enfermee"
    r"|sequestre|sequestree|agresse|agressee|fait du mal|fait des bleus|casse le nez"
    rf"|casse la gueule|lance des objets)\b{_NOT_NERVES}(?! sexuelement)",
    rf"\b{_PERSON_EN} (?:hits|hit|beats|beat|punches|punched|slaps|slapped|kicks|kicked"
    r"|chokes|choked|hurts|hurt|abuses|abused|threatens|threatened|assaulted"
    r"|strangled|pushed|shoved|attacked) (?:me|us)\b(?! (?:out|off)\b)",
    r"\b(?:j ai ete|jai ete|m a|m ont|on m a|il m a|ils m ont) (?:agressee|agresse|tabassee"
    r"|tabasse|battue|frappee|droguee|drogue)\b(?! sexuelement)",
    r"\b(?:me suis fait|me suis faite|me fais|me fait) (?:agresser|tabasser|battre"
    r"|frapper|droguer|casser la gueule)\b(?! sexuelement)",
    r"\b(?:i was|i have been|i got) (?:assaulted|drugged|beaten up"
    r"|jumped|mugged|attacked|beaten|stabbed)\b",
    r"\b(?:he|she|they|someone|somebody|a guy|some guy) (?:assaulted|drugged|attacked"
    r"|jumped|beat up|mugged) me\b",
    r"\b(?:j ai|i am) (?:tres |tellement |vraiment |so |really )?(?:peur|afraid|scared"
    r"|terrified|terrifie|terrifiee) (?:de|d|of) (?:mon chum|mon mari|mon ex|mon copain"
    r"|ma blonde|ma femme|mon conjoint|ma conjointe|ma copine|mon partenaire|lui|elle|him|her"
    r"|my husband|my boyfriend|my girlfriend|my wife|my partner|my ex|going home|rentrer"
    r" chez moi|rentrer a la maison)\b",
    r"\b(?:peur qu il|peur qu elle|afraid he will|scared he will) (?:me|revienne|come back"
    r"|hurt|kill|find)\b",
    r"\b(?:me|m) menace (?:avec|de mort|de (?:me|m) (?:frapper|battre|faire du mal|tabasser"
    r"|defoncer|casser|violer|enlever|prendre les enfants|brule))\b",
)

# Sexual assault told by the person: its own category, so the reply gives the sexual-assault
# line of the jurisdiction. A threat of rape stays violence (urgent); a child's disclosure is
# child abuse. Made urgent by ``_RECENT`` (it happened tonight: care and evidence are
# time-bound).
_SEXUAL_ASSAULT_CONCERN = _rules(
    _SA,
    _CONCERN,
    r"\b(?:j ai ete|jai ete|m a|m ont|on m a|il m a|ils m ont|un gars m a|un mec m a|quelqu un"
    r" m a|je me suis fait|je me suis faite|me suis fait|me suis faite|se sont) (?:violee"
    r"|viole|violees|violer|agressee sexuellement|agresse sexuellement|agresser sexuellement"
    r"|abusee sexuellement|abuse sexuellement|abuser sexuellement|tripotee|tripote|tripoter"
    r"|pelotee|pelote|peloter|abusee|abuse|abuser)\b(?! (?:de (?:ma|mon|mes|la|le|sa|son)"
    r"|financierement))",
    rf"\b{_AGENT}(?: \S+){{0,2}}? (?:m a|m ont|me) (?:viole|violee|violent|violait"
    r"|agresse sexuellement|agressee sexuellement|tripote|tripotee|pelote|pelotee)\b",
    # "un gars m'a forcée hier soir": forced, unless to do something else ("à partir")
    r"\b(?:m a|m ont|on m a) (?:forcee|force|obligee|oblige)\b(?! (?:a|de|d) (?!coucher|avoir"
    r" des relations|avoir du sexe|faire des choses|le sucer|faire l amour|baiser)\S+)"
    r"(?! (?:la porte|la serure|la main))",
    r"\b(?:il|elle|ils|un gars|un mec|quelqu un|on|he|someone|somebody|a guy) (?:\S+ )?"
    r"(?:a abuse de moi|a profite de moi|m a pris de force)\b(?! (?:financierement|pour"
    r" l argent|pour mon argent))",
    r"\b(?:profite|profiter|profitait|abuse|abuser|abusait) de moi\b(?: \S+){0,6}? (?:saoul"
    r"|saoule|soul|soule|bourre|bouree|gele|gelee|endormi|endormie|dormais|inconscient"
    r"|inconsciente|party|soiree|sexuelement|defonce|defoncee|pas en etat|drogue|droguee)\b",
    r"\b(?:took|taken|taking|takes) advantage of me\b(?: \S+){0,6}? (?:drunk|high|asleep"
    r"|sleeping|passed out|wasted|out of it|unconscious|party|sexually|could not say no"
    r"|blacked out|black out)\b|\bsexually took advantage\b",
    rf"\b{_PERSON_EN} (?:raped|rapes|sexually assaulted|molested|groped|forced himself on"
    r"|forced herself on|forced themselves on|touched me without|made me have sex) ?(?:me)?\b",
    r"\b(?:i was|i have been|i got|i am being|i was being) (?:raped|sexually assaulted"
    r"|molested|groped|forced to have sex|roofied and)\b",
    r"\b(?:subi|subit|vecu|victime d|victime de|survived|victim of|experienced|went through)"
    r" (?:une |un |a |an )?(?:agression sexuelle|agressions sexuelles|viol|viols|sexual assault"
    r"|rape|abus sexuels?)\b",
    r"\b(?:viol collectif|date rape|forced to have sex|force a coucher|forcee a coucher"
    r"|force a avoir des relations|forcee a avoir des relations|oblige a coucher"
    r"|obligee a coucher|sans mon consentement|without my consent|did not consent|i did not"
    r" want to and he|je voulais pas pis il|je voulais pas et il|j ai dit non pis il"
    r"|j ai dit non et il|i said no but he|i said no and he)\b",
)
_RECENT: Final = _rx(
    r"\b(?:hier soir|cette nuit|ce soir|tantot|tout a l heure|ce matin|y a une heure|il y a une"
    r" heure|il y a (?:\d|deux|trois|quelques) heures|apres le party|a soir|last night|tonight"
    r"|this morning|just now|an hour ago|hours ago|earlier today|right now|en ce moment)\b"
)

_SELF_HARM_CONCERN = _rules(
    _SH,
    _CONCERN,
    r"\b(?:me|m) (?:suis )?(?:encore |deja |souvent |encore une fois )?(?:scarifier|scarifie"
    r"|scarifiee|mutiler|mutile|mutilee|taillader|taillade"
    r"|lacerer|lacere|bruler expres|brule expres|frapper la tete contre)\b",
    rf"\b(?:{_JE}|j ai envie de|envie de)\b{_gap(3)} (?:me|m) (?:suis )?(?:encore |deja"
    r" |souvent |encore une fois |re )?(?:coupe|couper|coupee|coupes|coupais|couperai"
    rf"|recoupe|recouper|recoupee|recoupais)\b{_CUT_NOT_SELF_HARM}",
    r"\b(?:me|m) (?:suis )?(?:brule|bruler|brulee|brulais) (?:avec|a la|au|les bras|la"
    r" peau|expres|encore)\b(?!(?: \S+){0,2} (?:cuisinant|soleil|four|poele|cafe|the)\b)",
    rf"\b(?:{_JE}|envie de)\b{_gap(3)} (?:me|m) (?:faire|fais|fait|suis fait|suis faite) du"
    r" mal\b",
    r"\b(?:scarification|scarifications|automutilation|auto mutilation|self harm|selfharm"
    r"|self harming|self injury|cutting again)\b",
    r"\b(?:cut|cutting|burn|burning|hurt|hurting|harm|harming|hit|hitting|punish|punishing"
    r"|scratch|scratching|starve|starving) (?:my ?self|my arms|my legs|my wrists|my thighs)\b"
    r"(?! (?:shaving|cooking|by accident|accidentally|on (?:the|a) (?:stove|oven|pan)))",
    r"\b(?:lames?|rasoir|blade|blades|razor|razors) (?:pour|to|for) (?:me|my ?self|cut"
    r"|couper)\b|\bje cache (?:des|mes) lames\b",
    # "jme suis encore faite des marques su les bras avec une lame"
    r"\b(?:me|m) (?:suis |fais |fait )?(?:encore |re )?(?:fait|faite|fais|faire) (?:des"
    r" |les )?(?:marques|entailles|coupures|brulures|cicatrices)\b(?: \S+){0,8}? (?:lame"
    r"|lames|rasoir|couteau|exacto|compas|briquet|cigarette|clope|ciseaux|verre casse)\b",
    # "i keep burning my arm with a lighter"
    r"\b(?:cut|cutting|burn|burning|burnt|burned|scratch|scratching|carve|carving|carved)"
    r" (?:my|myself on my|myself on the) (?:arm|arms|leg|legs|wrist|wrists|thigh|thighs|skin"
    r"|stomach|hand|hands)\b(?: \S+){0,4}? (?:lighter|blade|razor|knife|cigarette|on purpose"
    r"|again|tonight|every night|to feel)\b",
)

_SUICIDE_CONCERN = _rules(
    _S,
    _CONCERN,
    rf"\b(?:{_SUICID}|sewerslide|sewer slide)\b",
    r"\b(?:veux|voudrais|aimerais|souhaite|souhaiterais|prefererais|envie de|rever de)"
    r"(?: \S+){0,3}? (?:ne )?(?:plus|pas|jamais|plus jamais|jamais plus|pas jamais) (?:me )?"
    r"reveiller\b",
    r"\b(?:m endormir|dormir|endormir) (?:pour toujours|pour de bon|a jamais)\b",
    r"\b(?:veux|voudrais|aimerais|envie de|rever de|besoin de|juste) disparaitre\b(?! (?:de|des"
    r"|du) (?:vos |tes |leurs |ses |la |les |ce |cette |votre |ton )?(?:dossiers?|fichiers?"
    r"|listes?|registres?|bases?|radars?|reseaux?|circulation|systeme|app|application))"
    r"|\bdisparaitre (?:pour toujours|de la surface|a jamais|de ce monde|de la terre)\b"
    r"|\bsi je (?:disparaissais|disparaitrais|mourais|mourrais|etais plus la)\b",
    r"\ba quoi bon\b",
    r"\b(?:idees|idee|pensees|pensee) (?:noires|noire|sombres|morbides)\b|\bdark thoughts\b",
    r"\bsi (?:j etais|je n etais|j existais|je n existais) (?:plus|pas) (?:la|ici|en vie)?\b"
    r"|\bif i (?:was not|were not|was|were) (?:here|around|gone|dead|alive)? ?(?:anymore"
    r"|gone|dead)\b|\bif i disappeared\b",
    r"\b(?:veux|voudrais|aimerais) (?:plus|pas) etre (?:la|ici|sur terre|de ce monde)\b",
    r"\b(?:envie de|veux|vais) tout (?:arreter|lacher|abandonner)\b",
    r"\b(?:m en aller|partir|men aler) (?:pour toujours|pour de bon|a jamais)\b",
    r"\b(?:plus|pas|aucun) (?:le )?(?:gout|envie) (?:de|d) rien\b",
    r"\b(?:ma|la) vie (?:ne )?vaut (?:rien|pas la peine|plus rien|plus la peine)\b|\blife"
    r" (?:is not|s not) worth (?:it|living)\b|\bmy life is (?:worthless|pointless"
    r"|meaningless)\b",
    r"\b(?:going to|might|will|want to|about to|afraid i will|scared i will) do something"
    r" (?:stupid|dumb|drastic)\b|\b(?:do not|can not) see (?:a|any) way out\b",
    r"\b(?:mieux|mieu|plus heureux|plus heureuse|plus heureuses|plus simple|plus facile)"
    r" sans moi\b|\bde trop (?:sur|dans) (?:cette|la|ce) (?:terre|monde"
    r"|vie)\b|\bje suis de trop\b",
    r"\bje suis (?:un|une) (?:fardeau|poids)\b|\b(?:un|une) (?:fardeau|poids) pour"
    r" (?:tout le monde|les autres|ma famille|mes proches|tous)\b",
    r"\bpersonne (?:ne )?(?:va|vas|irait) (?:s ennuyer|remarquer|pleurer|me regretter"
    r"|s en rendre compte|voir la difference|me manquer)\b|\bpersonne (?:ne )?(?:remarquerait"
    r"|verrait|s ennuierait|me regretterait|pleurerait|viendrait a mon enterrement)\b",
    r"\b(?:tanne|tannee|ecoeure|ecoeuree|fatigue|fatiguee|marre|saoule|saoulee|lasse|epuise"
    r"|epuisee|dego|degoute|degoutee|ecoeurite) (?:de|d) (?:vivre|la vie|exister|ma vie"
    r"|cette vie|ma vie de merde|etre en vie|moi meme|me battre|tout)\b",
    r"\bj en peux (?:plus|pas|vraiment plus)(?: de (?:vivre|la vie|cette vie|tout|rien"
    r"|exister|moi|ma vie|etre moi))? $",
    r"\bj en peux (?:plus|pas) de (?:vivre|la vie|cette vie|exister|moi|ma vie|etre moi)\b",
    r"\bje suis plus capable(?: de (?:vivre|continuer|rien|tout|toute))? $|\bje suis plus"
    r" capable de (?:vivre|continuer)\b",
    r"\b(?:tiens|tient|tenir) plus le coup\b|\bje vais craquer\b|\bau bout du rouleau\b",
    r"\b(?:vais|veux|peur de|envie de|risque de|sur le point de|capable de|tente de|tentee de)"
    r" (?:faire )?(?:une )?(?:connerie|conneries|betise|betises|niaiserie|niaiseries"
    r"|grosse connerie)\b",
    r"\bje (?:sers|sert) (?:a|à) rien\b|\bje vaux rien\b|\bpersonne (?:m aime|ne m aime)\b",
    r"\b(?:plus|aucun|aucune|pas|sans) (?:d |de |aucun )?(?:espoir|avenir|issue)\b"
    r"(?! (?:pour|de|d|dans|avec|au|a la|en|ici|la bas|pour le|a)\b)",
    r"\bwhat (?:is|s) the point(?: of (?:living|anything|life|it all|going on|trying|me))?"
    r"(?: anymore)? $|\bwhat (?:is|s) the point of (?:living|anything|life|it all|going on"
    r"|me)\b|\bno point (?:in )?(?:living|going on|anything)\b",
    r"\b(?:can not) (?:go on|do this anymore|take it anymore|take this anymore|keep going)\b",
    r"\b(?:want|need|wish) (?:it all|everything|it|the pain|life) to (?:end|stop)\b",
    r"\b(?:do not|never) (?:want|wanna) to wake up\b|\b(?:never|not) wake up\b(?! (?:in"
    r" time|on time|early|for))|\bfall asleep (?:forever|and never)\b|\bsleep forever\b",
    r"\b(?:i am|i feel like) (?:a|such a) burden\b|\b(?:better|happier|easier) (?:off )?"
    r"without me\b|\bnobody"
    r" (?:would|will|is going to) (?:miss|notice|care)\b|\bno one (?:would|will|is going"
    r" to) (?:miss|notice|care)\b",
    r"\b(?:tired|sick|done) (?:of|with) (?:living|life|being alive|existing|everything)\b"
    r"|\bgive up on (?:life|living|everything)\b|\bno (?:hope|future|way out)\b",
    r"\b(?:disappear|vanish) (?:forever|for good|from this world)\b|\bwant to disappear\b",
    r"\b(?:going to|about to) die\b" + _NOT_FIGURATIVE_EN,
    r"\b\d{3,5} ?mg\b|\b\d{1,2} ?g (?:de|of) (?:paracetamol|acetaminophene|tylenol"
    r"|doliprane)\b",
    r"\b(?:antigel|antifreeze|mort aux rats|rat poison|carbon monoxide|monoxyde de carbone"
    r"|charbon de bois dans|charcoal in)\b",
    f"(?:{_SIGNAL_EMOJI[0]} ?){{3,}}",
)

# Indirect phrasings workers hear (issue 8): giving things away, goodbye letters, settled
# affairs, "ça sert plus à rien", standing on a bridge or a roof.
_GIVE_AWAY = (
    r"(?:donne|donner|donnes|donnerai|donnais|distribue|distribuer|legue|leguer|gave away"
    r"|giving away|give away|given away|gave|giving|given|give)"
)
_SUICIDE_INDIRECT_URGENT = _rules(
    _S,
    _URGENT,
    # "j'ai donné mon chat à ma sœur, j'en aurai pu besoin", "gave away my guitar, won't need it"
    rf"\b{_GIVE_AWAY}\b(?: \S+){{0,10}}? (?:j en aurai|j aurai|je vais en avoir|j en ai|je vais"
    r" avoir) (?:plus|pas|plus jamais) besoin\b|\b"
    + _GIVE_AWAY
    + r"\b(?: \S+){0,10}? (?:i will not|i am not going to|i do not|will not) need (?:them|it"
    r"|him|her|that|those|these|anything|any of it|my \S+)(?: \S+)?? (?:anymore|any more"
    r"|where i am going|after)\b",
    # goodbye letters by another name
    r"\b(?:ecrit|ecrire|laisse|laisser|prepare|preparer|wrote|written|writing|left|leaving)"
    r" (?:une |des |la |les |a |some |my )?(?:lettre|lettres|mot|mots|letter|letters|note"
    r"|notes)(?: \S+){0,5}? (?:au cas ou (?:il m arriverait|il m arrive|je serais plus|je"
    r" serai plus)|pour (?:apres|quand je serai plus la|quand je serais plus la)|in case"
    r" (?:something happens|i am not|i do not make it|anything happens)|for (?:when|after)"
    r" i am gone|to read after)\b",
    r"\b(?:lettre|lettres|letter|letters|mot|note)(?: \S+){0,4}? (?:pour|a|to|for)"
    r" (?:ma famille|mes enfants|ma mere|mon pere|mes parents|tout le monde|everyone|my"
    r" family|my kids|my mom|my mum|my dad|my parents)\b(?: \S+){0,4}? (?:au cas ou|adieu"
    r"|goodbye|in case|quand je serai plus la|when i am gone)\b",
    r"\b(?:c est|ceci est|this is|that is) (?:un |mon |my )?(?:adieu|goodbye|last message"
    r"|dernier message|mes adieux)\b|\bmon dernier message\b|\bmy last message\b"
    r"|\b(?:j ai fait|je fais|i said|i have said|saying) (?:mes|my) (?:adieux|goodbyes)\b",
    r"\b(?:vous (?:entendrez|aurez)|tu (?:entendras|auras)) plus (?:jamais )?(?:parler de moi"
    r"|de mes nouvelles)\b|\b(?:you will|you are going to) (?:never|not) (?:hear from|see)"
    r" me again\b|\bi will not be (?:here|around|alive) (?:tomorrow|much longer|anymore"
    r"|by tomorrow)\b|\bje (?:serai|serais|vais etre) plus (?:la|ici|en vie) (?:demain|bientot"
    r"|longtemps|ce soir)\b",
    # on a bridge, a roof, a ledge, now
    r"\b(?:je suis|j suis|suis|i am|standing|sitting|assis|assise|debout|rendu|rendue|arrive"
    r"|arrivee) (?:\S+ )?(?:sur|on|au bord du|au bord de|at the edge of|on top of|en haut du"
    r"|en haut d|au sommet du|on the edge of|up on) (?:le |la |l |un |une |the |a |my |mon"
    r" |ma )?(?:pont|toit|rebord|viaduc|falaise|bridge|roof|rooftop|ledge|cliff|overpass"
    r"|parapet|railing|garde fou)\b(?!(?: \S+){0,5}? (?:trafic|traffic|bus|char|auto|voiture"
    r"|velo|bike|car|metro|en route|on my way|stuck|bloque|pris|jam|bouchon|job|travail"
    r"|work|chantier|repare|reparer|fixing|fix|neige|snow|deneige|shovel|pelleter)\b)",
    r"\b(?:je regarde|i am looking|looking|staring) (?:down )?(?:at |a )?(?:l eau|le vide|the"
    r" water|the drop|down|en bas)\b(?: \S+){0,6}? (?:pont|toit|bridge|roof|ledge|saute"
    r"|sauter|jump)\b|\b(?:pont|toit|bridge|roof|ledge)\b(?: \S+){0,6}? (?:je regarde"
    r" (?:l eau|le vide|en bas)|looking down|staring at the water|looking at the water)\b",
)

_SUICIDE_INDIRECT_CONCERN = _rules(
    _S,
    _CONCERN,
    rf"\b{_GIVE_AWAY} (?:toutes |toute |tous |tout |all |all of )?(?:mes|my|de mes|of my)"
    r" (?:affaires|choses"
    r"|biens|trucs|stock|stuff|things|belongings|possessions|shit)\b(?! (?:a laver|au lavage"
    r"|to wash|to the laundry|au linge))",
    r"\b(?:ca|cela|tout ca|la vie|ma vie|vivre|continuer|it|life|living|trying) (?:ne )?"
    r"(?:sert|servira|sers) (?:plus|plus jamais|pu) (?:a|à) rien\b|\b(?:ca|ce) (?:ne )?sert"
    r" (?:plus|pu) (?:a|à) rien de (?:continuer|vivre|se battre|essayer|rester)\b|\ba quoi ca"
    r" sert de (?:continuer|vivre|se battre|rester en vie|essayer)\b|\bwhat is the use of"
    r" (?:living|going on|trying)\b|\bwhat s the use of (?:living|going on|trying)\b",
    # "everything feels pointless", "plus rien n'a de sens": hopelessness, said of it all
    r"\b(?:everything|it all|life|my life|nothing) (?:feels|is|seems|s|looks|has been)"
    r" (?:so |just |kinda |totally |completely )?(?:pointless|meaningless|hopeless)\b"
    r"|\bnothing (?:matters|makes sense) (?:anymore|any more|now)\b"
    r"|\b(?:tout|la vie|ma vie) (?:me semble|semble|est|parait|me parait) (?:tellement |juste"
    r" |completement )?(?:inutile|sans espoir|sans issue|vide de sens|sans aucun sens)\b"
    r"|\bplus rien (?:n a|a) (?:de |d )?(?:sens|importance)\b",
    r"\b(?:j ai|i have|i) (?:tout|everything|all) (?:regle|mis en ordre|arrange|organise"
    r"|prepare|sorted|settled|put in order|arranged|taken care of|wrapped up)\b"
    r"(?: \S+){0,8}? (?:c est la fin|adieu|goodbye|plus besoin|no longer|the end|fin)\b"
    r"|\bc est la fin (?:pour moi|de moi|$)|\bthis is the end (?:for me|of me|$)"
    r"|\bc est la fin $|\bit is the end $",
    r"\b(?:mes|my) (?:affaires|papiers|comptes|dettes|affairs)(?: \S+)?? (?:sont|are)"
    r" (?:en ordre|reglees|regles|in order|sorted)\b(?: \S+){0,6}? (?:fin|end|adieu|goodbye"
    r"|plus besoin|pret|prete|ready)\b",
    r"\b(?:j ai|i have|je vais|i am going to) (?:fait|made|faire|make) (?:mon|ma|my) (?:testament"
    r"|will)\b(?: \S+){0,6}? (?:fin|end|adieu|goodbye|ready|pret|prete|bientot|soon)\b",
)

_OVERDOSE_CONCERN = _rules(
    _OD,
    _CONCERN,
    r"\b(?:overdose|overdoses|surdose|surdoses|od)\b",
    r"\b(?:trop consomme|trop pris|took too much|taken too much|used too much)\b",
    r"\b(?:can not|peux pas|peux plus|arrive pas a) (?:breathe|respirer)\b",
)

_OTHER = (
    *_rules(
        _O,
        _URGENT,
        r"\b(?:je suis|suis|on est|nous sommes|ma vie est|mes enfants sont|mon enfant est"
        r"|mon bebe est|je me sens) en danger\b|\b(?:i am|we are|i feel|my life is|my kids are"
        r"|my children are|my baby is|my child is) in danger\b",
        r"\b(?:beaucoup|trop|plein) (?:de )?sang\b|\bsaigne (?:beaucoup|trop|sans arret|encore"
        r"|partout|fort)\b|\barrete pas de saigner\b|\bbleeding (?:a lot|heavily|badly|too"
        r" much|everywhere|out)\b|\b(?:will not|can not) stop (?:the )?bleeding\b"
        r"|\bdeep cut\b|\bcoupure profonde\b|\b(?:du|de|le) sang partout\b|\bblood everywhere\b"
        r"|\b(?:ca|it) (?:arrete|stop|stops) pas de saigner\b",
    ),
    *_rules(
        _O,
        _CONCERN,
        r"\bau secours\b|\ba l aide $|\b(?:someone|somebody) help me $|\bsos $",
    ),
)

_RULES: Final[tuple[_Rule, ...]] = (
    *_OVERDOSE_URGENT,
    *_SUICIDE_URGENT,
    *_SUICIDE_INDIRECT_URGENT,
    *_VIOLENCE_URGENT,
    *_CHILD_ABUSE_URGENT,
    *_CHILD_ABUSE_AT_NIGHT,
    *_CHILD_ABUSE_CONCERN,
    *_SEXUAL_ASSAULT_CONCERN,
    *_VIOLENCE_CONCERN,
    *_SELF_HARM_CONCERN,
    *_SUICIDE_CONCERN,
    *_SUICIDE_INDIRECT_CONCERN,
    *_OVERDOSE_CONCERN,
    *_OTHER,
)

# Harmless spans masked before the rules run: a question about a danger is not the danger,
# and figures of speech are not threats.
_MASKS: Final[tuple[re.Pattern[str], ...]] = tuple(
    _rx(source)
    for source in (
        # Only words that make it a lesson. Never "quand", "comment", "quoi faire": "quoi
        # faire, il fait une overdose" is the emergency itself.
        r"\b(?:signes|signe|symptomes|symptome|reconnaitre|reconnait|reconnais|reconnaissez"
        r"|reconaitre|reconait|reconais|eviter|prevenir|prevention|risque"
        r"|risques|trousse|trousses|kit|kits|formation|formations|en cas|c est quoi|qu est ce"
        r" qu|signs|symptoms|prevent|preventing|avoid|avoiding|risk|risks|what is|training)"
        # …but never across someone doing it now: "je reconnais les signes, il fait une od"
        r"(?: (?!(?:il|elle|he|she|they|fait|font|is|are|est|sont|has|having)\b)\S+){0,3}?"
        r" (?:d une |d un |d |de |des |de la |du |une"
        r" |un |l |la |le |an |a |of an |of a |of |in an |in a |for an |for a |during an"
        r" |during a |to an |to a )?(?:overdoses?|surdoses?|od|ods)\b",
        r"\b(?:overdose|overdoses|overdosed|overdosing|surdose|od|oded|od ed|od d) (?:de|d|of"
        r"|on) (?:chocolat|sucre|series|serie"
        r"|netflix|travail|boulot|info|infos|informations|reunions|bonbons|cafe|cafeine|tele"
        r"|jeux|jeux video|sport|emails|courriels|devoirs|coffee|sugar|candy|chocolate|tv|work"
        r"|love|amour|cuteness|mignonnerie|nostalgie|nostalgia|memes)\b",
        # « il ressemble à quoi quelqu'un qui fait une OD ? »: what anyone looks like, a lesson
        r"\b(?:ressemble a quoi|ressemblent a quoi|a quoi (?:ca |ils |elles |il |elle )?"
        r"ressemble(?:nt)?|de quoi (?:ca |il |elle )?a l air)(?: \S+){0,2}? (?:quelqu un"
        r"|une personne|qqn|les gens|quelqu un qui|une personne qui|les gens qui)(?: qui)?"
        r"(?: \S+){0,6}? (?:od|overdose|surdose|en od|en overdose|en surdose)\b",
        # "what does an overdose look like", "how can you tell if someone is overdosing": a
        # lesson about anyone; "how do I know if HE is overdosing" is not masked.
        r"\b(?:what does|what do|what s|what is|how does) (?:an |a |the )?(?:\S+ )?(?:overdose"
        r"|overdoses|od|surdose)s? (?:look|looks|fel|fels|lok|loks) like\b",
        r"\b(?:how (?:can|do|would|could|will) (?:you|i|we|one|people) (?:tell|know|recognise"
        r"|recognize|spot|notice|see)|how to (?:tell|know|recognise|recognize|spot)|comment"
        r" (?:savoir|reconnaitre|voir|on sait|on reconnait|on voit|tu sais|reperer|je peux"
        r" savoir|on peut savoir)) (?:if |when |that |si |quand |qu )?(?:someone|somebody"
        r"|a person|people|quelqu un|une personne|qqn|les gens|on)(?: is| s| are| fait| est"
        r"| a| en)?(?: \S+){0,3}? (?:overdosing|overdose|od|oding|od ing|surdose|en od"
        r"|en overdose|en surdose)\b",
        r"\b(?:signs|signes|signe|symptoms|symptomes|symptome)(?: that| que| qu| of| d)?"
        r" (?:someone|somebody|a person|people|quelqu un|une personne|qqn|les gens)(?: is| s"
        r"| are| fait| est| a| en)?(?: \S+){0,2}? (?:overdosing|oding|od ing|od|overdose"
        r"|surdose)\b",
        r"\b(?:recognize|recognise|recognizing|identify|spot|spotting|identifier|reperer)"
        r"(?: \S+){0,3}? (?:an |a |the )?(?:overdoses?|surdoses?|od|ods)\b",
        r"\bsuicide squad\b|\bsuicide (?:commercial|economique|politique|social|professionnel)\b",
        r"\b(?:mort|morte|morts|mortes|mourir|meurs|meurt|mourrais|mourais|crever|creve|crevee"
        r"|mort) (?:de|d) (?:rire|fatigue|faim|froid|chaud|honte|ennui|soif|peur|envie|jalousie"
        r"|impatience|stress|sommeil)\b",
        r"\b(?:phone|battery|batterie|cel|cell|cellulaire|portable|laptop|ordi|char|car"
        r"|voiture|plante|plant|plants|plantes)(?: \S+){0,3}? (?:going to|about to|va|vas)"
        r" (?:die|mourir|crever)\b",
        r"\bmdr\b|\bptdr\b|\bxptdr\b|\blol\b|\blmao\b|\brofl\b",
        r"\btuer le temps\b|\bkill(?:ing)? (?:the )?time\b|\bkiller (?:deal|app|song|look"
        r"|outfit|price|prix|combo)\b|\bkilling it\b",
    )
)


class DeterministicCrisisScreen:
    """``CrisisScreen``: compiled patterns, no server, the same answer every time."""

    def screen(self, text: str) -> Screening:
        """Screen one message, whole (10 000 characters: see benchmarks/understanding.py)."""
        reading = normalise(text)
        for mask in _MASKS:
            reading = mask.sub(" _ ", reading)
        hits = [rule for rule in _RULES if rule.pattern.search(reading)]
        if not hits:
            return NO_CRISIS
        if _MINOR_AGE.search(reading) and any(h.category in _ABUSE_OF_A_MINOR for h in hits):
            # A child telling of violence or sexual abuse: the BBC test that Woebot and Wysa
            # failed ("I'm being forced to have sex and I'm only 12").
            return Screening(CrisisLevel.URGENT, CrisisCategory.CHILD_ABUSE)
        level = _URGENT if any(h.level is _URGENT for h in hits) else _CONCERN
        if level is _CONCERN and any(h.category is _SA for h in hits) and _RECENT.search(reading):
            # It happened tonight: care and evidence are time-bound.
            return Screening(_URGENT, _SA)
        at_level = [h.category for h in hits if h.level is level]
        # "Bleeding a lot" makes it urgent; what it is about comes from the other rules.
        specific = [c for c in at_level if c is not _O] or [
            h.category for h in hits if h.category is not _O
        ]
        return Screening(level, min(specific or at_level, key=_CATEGORY_PRIORITY.index))


_ABUSE_OF_A_MINOR: Final = frozenset({_V, _CA, _SA})
# When several categories fire at the same level, the reply speaks of the most specific.
_CATEGORY_PRIORITY: Final = (_OD, _S, _CA, _SA, _V, _SH, _O)
