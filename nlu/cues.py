"""Deterministic cues of one message: age, asking for someone else, a human, a meeting…

``RuleCueReader`` reads the facts a statistical model is bad at and a person expects us to
get right every time: "j'ai 15 ans" is an age, "je demande pour mon fils" is a question
about someone else, "jveux parler à quelqu'un" asks for a human even when the same sentence
names a need, "mon chum regarde mon cell" means the person may be watched.

The text goes through the crisis screen's normalisation (``nlu.crisis.normalise``: accents
and case folded, elongations collapsed, SMS spellings mapped — ``jveux`` → ``je veux``,
``chu`` → ``je suis``, ``im`` → ``i am`` —, doubled letters squeezed), and the patterns are
written in plain spelling and squeezed the same way. Nothing is stored or logged: the
result is a small frozen value (``TextCues``) the engine keeps for the conversation only.

Each cue errs on the side of *not* claiming: a missed cue costs the person a button press,
a wrong one puts words in their mouth. Measured with ``benchmarks/cues.py``: tens of
microseconds per message.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from flows.domain import Language
from flows.understanding import NO_CUES, TextCues
from nlu.crisis import fold, normalise, squeezed_pattern

__all__ = ["RuleCueReader"]

_rx = squeezed_pattern

# --- age ----------------------------------------------------------------------------------

_NUMBER_WORDS: Final = {
    "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
    "seize": 16, "dix sept": 17, "dix huit": 18, "dix neuf": 19, "vingt": 20,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}  # fmt: skip
_NUM = (
    r"(?P<n>\d{1,2}|"
    + "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))
    + ")"
)
_FR_YEARS = r" ?(?:ans|an)\b(?! (?:de|d)\b)(?! (?:que|qu)\b)"
_EN_YEARS = r" ?(?:yo|y o|yrs? old|years? old|year old)\b"
# Units that make a number after "I'm" something other than an age.
_NOT_AN_AGE_EN = (
    r"(?! ?(?:dollars?|bucks|cents?|min|mins|minutes?|hours?|hrs?|h|km|kms|miles?|blocks?"
    r"|weeks?|days?|months?|percent|mg|g|kg|lbs?|pounds|times|th|st|nd|rd|am|pm|feet|ft"
    r"|meters|m|of|out|in|on|at|to|from|with|and a half hours)\b)"
)
_AGE: Final = tuple(
    _rx(source)
    for source in (
        # "j'ai 15 ans", "jai 15ans", "j'ai juste 14 ans", "moi j'ai seize ans"
        rf"\b(?:j ai|jai|j aurai|je vais avoir|j vais avoir) (?:que |juste |seulement |a peine"
        rf" |presque |bientot |genre )?{_NUM}{_FR_YEARS}",
        # "je suis âgée de 16 ans", "agé de 16 ans"
        rf"\b(?:age|agee|ages|agees) de {_NUM}{_FR_YEARS}",
        # "16 ans, mes parents m'ont sorti": a bare age opening the message
        rf"^ (?:moi |bon |ben )?{_NUM}{_FR_YEARS}(?! (?:plus tard|plus tot|apres|avant|passes"
        r"|passees|de suite|deja)\b)",
        # "I'm 16", "im 16 and…", "I am only 15", "I'm 16 years old", "i'm a 16 yo"
        rf"\bi am (?:only |just |nearly |almost |like )?{_NUM}\b(?:{_EN_YEARS})?{_NOT_AN_AGE_EN}",
        rf"\bi am (?:a |an )?{_NUM}{_EN_YEARS}",
        # "16yo here", "17 years old, kicked out": opening the message
        rf"^ (?:i am )?{_NUM}{_EN_YEARS}",
        rf"\b(?:aged|age) {_NUM}\b(?! (?:minutes|hours|days|weeks|months)\b)",
    )
)
_AGE_GLUED: Final = re.compile(r"(?<![\w])(\d{1,2})(ans|an|yo)(?![\w])")
MIN_AGE: Final = 5
MAX_AGE: Final = 99

# --- someone else -------------------------------------------------------------------------

# Relation words (plain spelling) → relation id. "mon chum" is a partner in Québec, "mes
# chums" and "un chum" are friends.
_RELATIONS: Final[dict[str, tuple[str, ...]]] = {
    "child": (
        "fils", "fille", "filles", "enfant", "enfants", "gars", "garcon", "petit", "petite",
        "ptit", "ptite", "bebe", "ado", "ados", "adolescent", "adolescente", "beau fils",
        "belle fille", "son", "sons", "daughter", "daughters", "kid", "kids", "child",
        "children", "boy", "baby", "teen", "teenager", "stepson", "stepdaughter",
    ),
    "partner": (
        "chum", "blonde", "copain", "copine", "mari", "femme", "conjoint", "conjointe",
        "partenaire", "mec", "meuf", "boyfriend", "bf", "girlfriend", "gf", "husband",
        "wife", "partner", "hubby", "fiance", "fiancee",
    ),
    "friend": (
        "ami", "amie", "amis", "amies", "pote", "potes", "chums", "coloc", "colocataire",
        "friend", "friends", "buddy", "bestie", "homie", "mate", "roommate", "roomate",
        "meilleur ami", "meilleure amie", "best friend", "pal",
    ),
    "parent": (
        "pere", "mere", "papa", "maman", "parents", "daron", "daronne", "darons", "reum",
        "reup", "dad",
        "mom", "mum", "mother", "father", "parent", "mama", "stepdad", "stepmom",
        "beau pere", "belle mere",
    ),
    "sibling": (
        "frere", "soeur", "freres", "soeurs", "frerot", "reuf", "frangin", "frangine",
        "frangins", "frangines", "brother", "sister",
        "brothers", "sisters", "bro", "sis", "demi frere", "demi soeur",
    ),
    "neighbour": ("voisin", "voisine", "voisins", "neighbour", "neighbor", "neighbours",
                  "neighbors"),
    "relative": (
        "cousin", "cousine", "oncle", "tante", "neveu", "niece", "grand pere", "grand mere",
        "grands parents", "beau frere", "belle soeur", "uncle", "aunt", "auntie", "nephew",
        "grandma", "grandpa", "grandmother", "grandfather", "grandparents", "cousins",
    ),
}  # fmt: skip
_REL_ID: Final = {word: rid for rid, words in _RELATIONS.items() for word in words}
_REL_WORDS = "|".join(sorted(map(re.escape, _REL_ID), key=len, reverse=True))
_REL_WORD = f"(?P<rel>{_REL_WORDS})"
_INDEFINITE: Final = {
    "ami": "friend", "amie": "friend", "pote": "friend", "chum": "friend", "coloc": "friend",
    "friend": "friend", "buddy": "friend", "roommate": "friend", "voisin": "neighbour",
    "voisine": "neighbour", "neighbour": "neighbour", "neighbor": "neighbour",
    "cousin": "relative", "cousine": "relative", "proche": "relative",
}  # fmt: skip
_INDEFINITE_WORD = "(?:" + "|".join(sorted(_INDEFINITE, key=len, reverse=True)) + ")"
_MY = r"(?:mon|ma|mes|my|notre|nos|our)"
_A = r"(?:un|une|mon|ma|mes|my|a|an|notre|our)"
# "mon chum ME frappe", "my boyfriend checks MY phone" speak of the person themself.
_NOT_ABOUT_ME = (
    r"(?! (?:\S+ )?(?:me|m|moi|nous|my|me|us|i|j|je)\b)(?! (?:\S+ )?(?:a|ont|m a|m ont)"
    r" (?:\S+ )?(?:me|m)\b)"
)
# What someone else's need sounds like: "mon ami DORT dehors", "my son USES drugs".
_THEIR_NEED_FR = (
    r"(?:dort|dors|dormait|a dormi|est a la rue|est dans la rue|est dehors|vit dehors"
    r"|vit dans|vit a la rue|est sans|est a boute|est malade|est enceinte|est en prison"
    r"|est accro|est dependant|est dependante|a besoin|aurait besoin|a plus|a pas de|a pu"
    r"|n a plus|n a pas|n a rien|a rien|consomme|se drogue|se pique|se shoote|boit|prend de"
    r"|prend du|prend des|fume|mange pas|mange plus|a faim|cherche|veut arreter|essaie"
    r"|a perdu|s est fait|s est fait mettre|a ete mis|a ete mise|a ete arrete|a ete arretee"
    r"|se fait|fugue|a fugue|est parti de chez|va mal|file pas|est en crise|est en depression"
    r"|fait une depression|est suicidaire|pense au suicide|a des dettes|doit de l argent"
    r"|risque|reste|est tout seul|est toute seule|est seul|est seule|est enceinte|est sans"
    r" papiers|a un probleme|a des problemes|galere|est en galere|se prostitue)"
)
_THEIR_NEED_EN = (
    r"(?:is|s|has|needs|need|uses|used|is using|drinks|sleeps|is sleeping|slept|lives"
    r"|is living|got|gets|(?:can not|could not|does not|did not) (?:find|get|eat|sleep|have"
    r"|pay|stop|afford|know where|go home)|keeps|was|is on|is addicted"
    r"|is homeless|is hungry|ran away|has been|just got|lost|is looking|wants to|does"
    r"|smokes|injects|takes)"
)
_FOR_SOMEONE: Final = tuple(
    _rx(source)
    for source in (
        # "je demande pour mon fils", "c'est pour une amie", "j'écris pour ma mère"
        rf"\b(?:demande|demandais|pose la question|me renseigne|m informe|ecris|cherche|c est"
        rf"|c|ca serait|ce serait|question|appelle|appele|texte) pour {_A} {_REL_WORD}\b",
        # "asking for my son", "it's for a friend", "writing for my mom"
        rf"\b(?:asking|ask|writing|looking|it is|it s|its|this is|that is|that s|texting"
        rf"|question) (?:this )?for {_A}"
        rf" {_REL_WORD}\b",
        # "je m'inquiète pour mon frangin", "worried about my son"
        rf"\b(?:inquiet|inquiete|inquiets|m inquiete|m inquiete pour|peur pour|stresse pour"
        rf"|worried about|worried for|scared for|afraid for|concerned about|worry about) (?:pour"
        rf" )?{_A} {_REL_WORD}\b",
        # "aider mon fils", "help my brother", "comment aider une amie"
        rf"\b(?:aider|aide|help|helping|support|soutenir|accompagner) {_A} {_REL_WORD}\b",
        # "mon ami dort dehors", "ma mère a besoin de manger"
        rf"\b{_MY} {_REL_WORD}(?: de \d{{1,2}} ans| \d{{1,2}} ans)?(?: \S+)?? (?:ne |n )?"
        rf"{_THEIR_NEED_FR}\b{_NOT_ABOUT_ME}",
        # "my son uses drugs", "my 16 year old is using"
        rf"\bmy (?:\d{{1,2}} ?(?:year old|yo) )?{_REL_WORD}(?: \S+)?? {_THEIR_NEED_EN}\b"
        rf"{_NOT_ABOUT_ME}",
        # "un voisin a besoin de manger", "a friend is sleeping outside": only relation words
        # an indefinite article cannot turn into "a guy" or "a woman"
        rf"\b(?:un|une|a|an) (?P<rel>{_INDEFINITE_WORD})(?: \S+)?? (?:ne |n )?(?:{_THEIR_NEED_FR}"
        rf"|{_THEIR_NEED_EN})\b{_NOT_ABOUT_ME}",
        # "un ami à moi dort dehors", "a friend of mine is homeless"
        rf"\b(?:un|une|a) (?P<rel>{_INDEFINITE_WORD}|{_REL_WORDS}) (?:a moi|of mine)\b",
    )
)
# Rules whose relation word follows an indefinite article ("un chum" is a friend).
_INDEFINITE_RULES: Final = frozenset({6, 7})
# "comment l'aider", "how do I help him": the relation is named elsewhere in the message.
_HELPING_THEM: Final = _rx(
    r"\b(?:comment|comme|pour|peux|veux|how|can|could|want to)(?: \S+){0,3}? (?:l|la|le|les|lui"
    r"|leur) (?:aider|accompagner|soutenir)\b|\b(?:aider|help|helping|support) (?:him|her"
    r"|them|lui|elle|eux)\b|\bpour (?:lui|elle|eux)\b|\bfor (?:him|her|them)\b"
)
_ANY_RELATION: Final = _rx(rf"\b(?:{_MY}|{_A}) {_REL_WORD}\b(?! (?:me|m)\b)")

# --- a human, a meeting -------------------------------------------------------------------

_PERSON_FR = (
    r"(?:quelqu un|quelquun|qqn|qq1|kelkun|une personne|une vraie personne|un humain|une"
    r" humaine|un vrai humain|un etre humain|un intervenant|une intervenante|un travailleur"
    r"|une travailleuse|un educateur|une educatrice|un educ|une educ|un tr|un vrai monde"
    r"|du vrai monde|le travailleur|la travailleuse|l intervenant|l intervenante|mon"
    r" intervenant|mon intervenante|mon travailleur|ma travailleuse|mon educ|un membre|une"
    r" membre|l equipe|ton equipe|votre equipe|votre monde|ton monde|un agent|une agente"
    r"|un conseiller|une conseillere|un psy|un pair|une paire|quelqu un de vrai)"
)
_PERSON_EN = (
    r"(?:someone|somebody|some one|a person|a real person|an actual person|a human|a real"
    r" human|an actual human|a worker|an outreach worker|a street worker|the outreach"
    r" worker|the street worker|my worker|my outreach worker|a counsellor|a counselor"
    r"|an agent|a real one|your team|the team|someone real|a staff|staff|one of you"
    r"|one of (?:the|your) (?:street |outreach )?workers|(?:the|a) (?:street|outreach) workers"
    r"|someone from (?:the|your) team|a peer)"
)
_NEGATED = r"(?<!pas )(?<!plus )(?<!jamais )(?<!not )(?<!never )(?<!no )"
_ASKS_HUMAN: Final = tuple(
    _rx(source)
    for source in (
        rf"\b{_NEGATED}(?:parler|jaser|discuter|placoter|echanger|causer|chatter|texter|parle"
        rf"|jase) (?:a|avec|en prive avec) {_PERSON_FR}\b",
        rf"\b{_PERSON_FR} (?:peut|pourrait|pourrais|pourriez|peux|va|vient) (?:tu |il |elle )?"
        r"(?:me |m )(?:parler|ecrire|repondre|appeler|rappeler|contacter|texter|aider)\b",
        rf"\b(?:passe moi|passez moi|mets moi en contact avec|mettez moi en contact avec"
        rf"|met moi en contact avec|mets moi en lien avec|mettez moi en lien avec|transfere moi"
        rf"|je veux|j veux|je voudrais|j aimerais|j ai besoin d|besoin d|je prefere|je cherche"
        rf"|appelle|appelez) {_PERSON_FR}\b(?! (?:qui|pour|de rue qui)\b)",
        r"^ (?:un |une )?(?:humain|humaine|intervenant|intervenante|travailleur de rue"
        r"|travailleuse de rue|educateur|educatrice|une personne|quelqu un|vraie personne"
        r"|vrai humain)(?: svp| stp| s il vous plait| please| vite| maintenant| now)* $",
        rf"\b{_NEGATED}(?:talk|speak|chat|text) (?:to|with) {_PERSON_EN}\b",
        # "je voudrais qu'un éduc me rappelle", "j'aimerais que quelqu'un m'écrive"
        rf"\b(?:je voudrais|j voudrais|j aimerais|je veux|j veux|je souhaite|ce serait bien)"
        rf" (?:qu |que ){_PERSON_FR} (?:me |m )(?:rappelle|appelle|ecrive|reponde|contacte"
        r"|texte|parle|aide|rejoigne)\b",
        rf"\b(?:can|could|may|would|will) {_PERSON_EN}(?: from (?:your|the) team| on your team"
        r"| of you)? (?:please )?(?:talk to|speak to|text"
        r"|message|write|answer|call|contact|help|reply to|get back to) me\b",
        rf"\b(?:connect me (?:to|with)|put me (?:through )?(?:to|in touch with)|transfer me to"
        rf"|get me|i want|i need|i would like|i would rather have) {_PERSON_EN}\b(?! (?:who"
        r"|to (?:know|see|find)))",
        r"^ (?:human|humans|a human|real person|a real person|agent|operator|person|worker"
        r"|staff)(?: please| now| pls)* $|\b(?:human|real person) please\b",
        r"\b(?:pas (?:un|a) (?:robot|bot)|not a bot|no (?:more )?bots?|plus (?:de|du) robot"
        r"|arrete le robot|stop the bot)\b",
        r"\b(?:pas|plus|not|no longer|do not want to|tired of) (?:\S+ ){0,2}?(?:parler|jaser"
        r"|talk|chat|speak|texting) (?:a|avec|to|with) (?:un|une|a|the|ce|this|des|les)"
        r" (?:robot|robots|bot|bots|machine|ordi|ordinateur|computer|ai|ia)\b",
    )
)
_WORKER = (
    r"(?:travailleur de rue|travailleuse de rue|travailleur de milieu|travailleuse de milieu"
    r"|intervenant|intervenante|intervenants|educateur|educatrice|educ|educateur de rue"
    r"|educatrice de rue|tr|quelqu un|quelqu un de l equipe|quelqu un de votre equipe"
    r"|quelqu un de ton equipe|une personne|votre equipe|ton equipe|l equipe|un membre"
    r"|outreach workers|street workers|workers|outreach worker|street worker|worker|someone"
    r"|somebody|anyone|one of you|your team"
    r"|the team|a person|someone from (?:the|your) team)"
)
_ASKS_MEETING: Final = tuple(
    _rx(source)
    for source in (
        # "peut venir me voir", "passer me voir", "me rejoindre au parc"
        r"\b(?:venir|viens|vient|venez|passer|passe|passez|passes) (?:me|nous) (?:voir|rejoindre"
        r"|chercher|rencontrer|trouver|parler)\b",
        r"\b(?:me|nous) (?:rejoindre|rencontrer)\b(?! (?:sur|par|ici|dans (?:le|ce) chat))",
        # "voir un éducateur en vrai", "rencontrer une intervenante"
        rf"\b(?:voir|rencontrer|croiser|trouver) (?:un |une |le |la |l |les )?{_WORKER}"
        r"(?: \S+){0,2}? (?:en vrai|en personne|en face|face a face|dans la rue|au parc"
        r"|quelque part|demain|aujourd hui|ce soir|cette semaine|ou|la ou)\b",
        rf"\b(?:rencontrer|rencontre) (?:un |une |le |la |l |les )?{_WORKER}\b",
        r"\b(?:prendre|avoir|fixer|booker|veux|voudrais|aimerais|besoin d) (?:un |une )?"
        r"(?:rendez vous|rdv|rencontre) (?:avec|pour voir)\b",
        # "en vrai" alone is also slang for "honestly": only after a verb of meeting
        r"\b(?:voir|parler|rencontrer|jaser|discuter|croiser|jaser)(?: \S+){0,4}? (?:en vrai"
        r"|en personne|face a face|en face a face)\b|\ben personne\b",
        # EN
        r"\b(?:come|coming) (?:and )?(?:see|meet|find|get|pick up) (?:me|us)\b",
        r"\bmeet (?:me|up|us|in person|face to face)\b",
        rf"\b(?:see|meet) (?:a |an |the |one of the |one of your )?{_WORKER} (?:in person|face"
        r" to face|today|tomorrow|tonight|somewhere|downtown|here|near)\b",
        rf"\bcan {_WORKER}(?: from your team)? (?:come|meet|see me|visit)\b",
        r"\bin person\b",
    )
)

# --- language -----------------------------------------------------------------------------

_FRENCH = r"(?:francais|french|franglais)"
_ENGLISH = r"(?:anglais|english|inglish|eng)"
_LANGUAGE_REQUEST: Final = tuple(
    (language, _rx(source))
    for language, word in ((Language.FR, _FRENCH), (Language.EN, _ENGLISH))
    for source in (
        rf"\b(?:en|in) {word}(?: svp| stp| s il vous plait| s il te plait| please| pls| plz"
        rf"| merci| thanks)* $",
        rf"\b(?:on|tu|vous|peut|peux|pouvez|pourrait|pourrais|pourriez|can|could|we|you"
        rf"|please|svp|stp|veux|voudrais|aimerais|prefere|prefer|want to|like to|rather"
        rf"|possible de|possible to|let s|lets|plutot) (?:\S+ ){{0,2}}?(?:parler|parle|parlez"
        rf"|parles|continuer|continue|ecrire|ecris|ecrivez|repondre|reponds|repondez|passer"
        rf"|switch|switcher|speak|talk|write|answer|reply|chat|text|go|change)"
        rf" (?:to |en |in )?{word}\b",
        rf"^ (?:et |and )?{word}(?: svp| stp| please| pls| plz| merci| thanks| possible)* $",
        rf"\b{word} (?:svp|stp|please|pls|plz|s il vous plait|s il te plait|possible)\b",
        rf"\b(?:do you|you|tu|vous|on) (?:\S+ )?(?:speak|parle|parlez|parles) {word}\b",
    )
)
# "je parle pas anglais" asks for French; "I don't speak French" for English.
_LANGUAGE_REFUSED: Final = tuple(
    (language, _rx(source))
    for language, word in ((Language.EN, _FRENCH), (Language.FR, _ENGLISH))
    for source in (
        rf"\b(?:parle|comprends|comprend|lis|speak|understand|read) (?:pas|plus|pa|not|no)"
        rf" (?:l |le |bien |tres bien )?{word}\b",
        rf"\b(?:do not|can not|dont|cant) (?:speak|understand|read) {word}\b",
        rf"\b(?:no|pas de|pas d) {word}\b",
    )
)

# --- yes / no -----------------------------------------------------------------------------

_FILLERS: Final = frozenset(
    str.split(
        "merci thanks thank you thx svp stp please pls plz ben bin bah bon euh heu hum hmm oh ah"
        " eh well lol mdr haha ok alors so yeah bien sure"
    )
)  # "ok", "yeah", "sure" are answers alone, fillers around another answer ("ok non")
_YES: Final = frozenset(
    {
        "oui", "ouais", "ouai", "ouaip", "ouep", "oue", "ouin", "wi", "wii", "yes", "yep",
        "yup", "yeah", "yea", "ya", "ye", "yas", "ok", "okay", "oki", "okey", "k", "kk", "okk",
        "dac", "dacc", "dak", "d accord", "daccord", "d acc", "sure", "of course", "ofc",
        "alright", "all right", "fine", "correct", "exact", "exactement", "absolument",
        "certain", "certainement", "bien sur", "carrement", "grave", "vas y", "allez y", "go",
        "parfait", "super", "c est ca", "c est correct", "ca marche", "ca me va", "yes please",
        "oui svp", "yessir", "si", "right", "totally", "definitely", "absolutely", "👍",
        "volontiers", "avec plaisir", "please do", "sounds good", "let s go", "let's go",
    }
)  # fmt: skip
_NO: Final = frozenset(
    {
        "non", "nan", "nah", "na", "no", "nope", "nop", "non merci", "no thanks", "no thank you",
        "pas vraiment", "pas du tout", "pas maintenant", "pas tout de suite", "pantoute",
        "jamais", "never", "not really", "not now", "not yet", "pas encore", "nein", "non non",
        "absolument pas", "surtout pas", "certainement pas", "no way", "pas question", "nn",
        "negatif", "👎", "pas besoin", "no need", "laisse faire", "laisse tomber",
        "oublie ca", "forget it",
    }
)  # fmt: skip
_ANSWER_MAX_WORDS: Final = 6
_ANSWER_TOKEN: Final = re.compile(r"[a-z0-9']+|👍|👎")
_ELONGATED: Final = re.compile(r"([a-z])\1{2,}")

# --- gender -------------------------------------------------------------------------------

_I_AM = r"(?:je suis|j suis|moi je suis|suis|i am|as|en tant que)"
_GENDER: Final = tuple(
    (gender, _rx(source))
    for gender, source in (
        (
            "nonbinary",
            rf"\b{_I_AM} (?:une personne |a person |an? )?(?:non binaire|non binary|nonbinaire"
            r"|nonbinary|nb|enby|genderqueer|agenre|agender|genderfluid|gender fluid|non"
            r" genre)\b",
        ),
        (
            "woman",
            rf"\b{_I_AM} (?:une|a|an) (?:jeune |young |old |vieille )?(?:femme|fille|meuf"
            r"|madame|dame|woman|girl|lady|gal|femme trans|trans woman|transwoman|mere|mom"
            r"|mother|maman)\b(?! (?:de menage|d affaires|de chambre)\b)",
        ),
        (
            "man",
            rf"\b{_I_AM} (?:un|a|an) (?:jeune |young |old |vieux )?(?:homme|gars|garcon|mec"
            r"|monsieur|man|guy|dude|boy|male|homme trans|trans man|transman|pere|papa|dad"
            r"|father|bonhomme)\b(?! (?:d affaires|de menage)\b)",
        ),
    )
)

# --- being watched ------------------------------------------------------------------------

_PHONE = (
    r"(?:cel|cell|celulaire|cellphone|cell phone|tel|telephone|phone|portable|mobile|iphone"
    r"|smartphone|messages|textos|texto|texts|conversations|conv|convo|chats|telegram|dm|dms"
    r"|notifications|historique|history|code|mot de passe|password|passcode|applis|apps)"
)
_WATCHER = (
    r"(?:il|elle|ils|elles|on|quelqu un|he|she|they|someone|somebody|my \S+|mon \S+|ma \S+"
    r"|mes \S+|my \S+ \S+|mon \S+ \S+)"
)
_WATCHED: Final = tuple(
    _rx(source)
    for source in (
        rf"\b{_WATCHER}(?: \S+)?? (?:regarde|regardait|fouille|fouillait|check|checke|checks"
        rf"|checked|checking|lit|lisait|surveille|surveillait|controle|verifie|espionne"
        rf"|prend|prends|pogne|a|a mes|has my|a acces a|a acces au|a le|connait|connais|sait"
        rf"|reads|read"
        rf"|looks at|looked at|looks through|goes through|went through|checks up on|monitors"
        rf"|tracks|spies on|has|knows|takes|grabs|watches|is watching|is reading|is checking"
        rf"|snoops through|snoops on|has access to|can see) (?:dans |through |into |on |tout"
        rf" |all )?(?:mon|ma|mes|my|le|the)(?: \S+)?? {_PHONE}\b",
        rf"\b(?:surveille|surveillee|espionne|espionnee|watched|monitored|tracked|spied on)"
        rf"(?: \S+){{0,3}}? (?:mon|ma|mes|my|le|the)? ?{_PHONE}\b",
        rf"\b(?:on|we) (?:partage|partageons|share|shares) (?:le|la|un|une|mon|ma|the|a|one"
        rf"|my|our|notre)? ?(?:meme |same )?{_PHONE}\b",
        rf"\b(?:shared|partage) {_PHONE}\b|\b{_PHONE} (?:partage|shared)\b",
        r"\b(?:s il|si il|si elle|s ils|if he|if she|if they|if my \S+|si mon \S+|si ma \S+)"
        r" (?:voit|voient|tombe sur|lit|lisent|sees|see|finds|reads|found|saw) (?:ca|ce"
        r" message|mes messages|this|these|my messages|the chat|this chat|cette conv|la conv"
        r"|nos messages|le chat)\b",
        r"\b(?:effacer|efface|supprimer|supprime|cacher|cache|delete|erase|hide|clear)"
        r" (?:la|cette|les|nos|mes|this|the|my|our|all|tout|toute|toutes|tous)? ?(?:\S+ )?"
        r"(?:conversation|conv|convo|discussion|messages|chat|historique|history|textos|traces)"
        r"\b(?:(?: \S+){0,4}? (?:avant|pour pas|pour que|before|so (?:he|she|they)|qu il"
        r"|qu elle)\b)",
    )
)


# --- not calling ----------------------------------------------------------------------------

# "je veux pas appeler personne", "pas envie d'appeler", "i don't want to call anyone", "i
# can't call": the person refuses or cannot use a phone line; writing must stay enough.
_REFUSES_CALL: Final = tuple(
    _rx(source)
    for source in (
        r"\b(?:je |j )?(?:ne |n )?(?:veux|veut|veu|voulais|voudrais|peux|peut|vais|ose|appellerai"
        r"|appelerai|appelle|appele) (?:pas|pu|plus|jamais|personne)(?: \S+)?? (?:appeler"
        r"|telephoner|composer|appeler personne|appeler qui que ce soit|appeler un numero"
        r"|appeler une ligne)\b",
        r"\b(?:j appellerai|j appelerai|japellerai|j appelle|j vais appeler|je vais appeler)"
        r" (?:pas|personne|aucun|aucune|jamais)\b",
        r"\bpas (?:envie|le gout|la force|capable|le courage|de credit pour) (?:de |d )?"
        r"(?:appeler|telephoner|parler au telephone)\b",
        r"\b(?:do not|will not|can not|cannot|not going to|never|refuse to|rather not)"
        r" (?:want to |wanna |gonna |going to )?(?:call|phone|ring|dial|talk on the phone)\b",
        r"\b(?:no|not) (?:calls|phone calls|calling)\b|\bnot calling\b",
    )
)


class RuleCueReader:
    """``CueReader``: compiled patterns over the crisis screen's normalisation."""

    def read(self, text: str) -> TextCues:
        """The cues of one message; ``NO_CUES`` for an empty one."""
        if not text or not text.strip():
            return NO_CUES
        reading = normalise(_AGE_GLUED.sub(r"\1 \2", fold(text)))
        meeting = any(p.search(reading) for p in _ASKS_MEETING)
        cues = TextCues(
            age=_age(reading),
            for_someone=_for_someone(reading),
            asks_human=meeting or any(p.search(reading) for p in _ASKS_HUMAN),
            asks_meeting=meeting,
            language_request=_language_request(reading),
            answer=_answer(text),
            gender=next((g for g, p in _GENDER if p.search(reading)), None),
            watched=any(p.search(reading) for p in _WATCHED),
            refuses_call=any(p.search(reading) for p in _REFUSES_CALL),
        )
        return NO_CUES if cues == NO_CUES else cues


def _age(reading: str) -> int | None:
    for pattern in _AGE:
        match = pattern.search(reading)
        if match is None:
            continue
        raw = match["n"]
        value = int(raw) if raw.isdigit() else _SQUEEZED_NUMBERS.get(raw)
        if value is not None and MIN_AGE <= value <= MAX_AGE:
            return value
    return None


def _for_someone(reading: str) -> str | None:
    for pattern in _FOR_SOMEONE:
        match = pattern.search(reading)
        if match is not None:
            word = _squeezed_word(match["rel"])
            if _FOR_SOMEONE.index(pattern) in _INDEFINITE_RULES:
                return _INDEFINITE.get(word, _REL_ID.get(word))
            return _REL_ID.get(word)
    if _HELPING_THEM.search(reading):
        match = _ANY_RELATION.search(reading)
        if match is not None:
            return _REL_ID.get(_squeezed_word(match["rel"]))
    return None


def _squeezed_word(word: str) -> str:
    """Map a matched (squeezed) relation word back to its id's key."""
    return _SQUEEZED_REL.get(word, word)


def _language_request(reading: str) -> Language | None:
    for language, pattern in _LANGUAGE_REFUSED:
        if pattern.search(reading):
            return language
    for language, pattern in _LANGUAGE_REQUEST:
        if pattern.search(reading):
            return language
    return None


def _answer(text: str) -> str | None:
    folded = _ELONGATED.sub(r"\1", fold(text)).replace("’", "'")
    tokens = _ANSWER_TOKEN.findall(folded.replace("'", " "))
    if not tokens or len(tokens) > _ANSWER_MAX_WORDS:
        return None
    phrase = " ".join(tokens)
    for value in (phrase, " ".join(dict.fromkeys(tokens))):
        if value in _NO:
            return "no"
        if value in _YES:
            return "yes"
    core = [t for t in tokens if t not in _FILLERS]
    kept = " ".join(dict.fromkeys(core))
    if not core:
        # "ok merci", "yeah sure": only words that are fillers around another answer.
        return "yes" if any(t in _YES for t in tokens) else None
    if kept in _NO:
        return "no"
    if kept in _YES:
        return "yes"
    return None


_SQUEEZE_RUN: Final = re.compile(r"([a-z])\1+")
# The text is squeezed ("fifteen" → "fiften"): number words are looked up squeezed too.
_SQUEEZED_NUMBERS: Final = {_SQUEEZE_RUN.sub(r"\1", w): n for w, n in _NUMBER_WORDS.items()}
_SQUEEZED_REL: Final = {_SQUEEZE_RUN.sub(r"\1", word): word for word in (*_REL_ID, *_INDEFINITE)}


if TYPE_CHECKING:  # the adapter fits its port
    from flows.ports import CueReader

    _port: CueReader = RuleCueReader()
