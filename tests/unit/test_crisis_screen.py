"""The deterministic crisis screen: what it must flag, how urgently, and what it must let be.

The phrasings are FR-QC, FR-FR and EN as people type them: no accents, SMS spelling,
elongations, typos. A missed crisis is the worst failure; the traps keep the staff queue
usable.
"""

from __future__ import annotations

import pytest

from flows.understanding import CrisisCategory, CrisisLevel
from nlu.crisis import DeterministicCrisisScreen, normalise

U, C, N = CrisisLevel.URGENT, CrisisLevel.CONCERN, CrisisLevel.NONE
SUICIDE = CrisisCategory.SUICIDE
SELF_HARM = CrisisCategory.SELF_HARM
OVERDOSE = CrisisCategory.OVERDOSE
VIOLENCE = CrisisCategory.VIOLENCE
CHILD = CrisisCategory.CHILD_ABUSE
ASSAULT = CrisisCategory.SEXUAL_ASSAULT
OTHER = CrisisCategory.OTHER

screen = DeterministicCrisisScreen()

SUICIDE_URGENT = [
    "j'en peux plus de cette vie, je vais avaler les cachets de ma mère ce soir",
    "i'm going to take all my pills tonight",
    # Québec
    "je veux mourir",
    "jveu mourir",
    "jveux mourirrrr",
    "j'ai envie de mourir",
    "je vais me tuer",
    "je vais me tuéé",
    "jvais me tuer ce soir",
    "j'pense à me tuer",
    "j'ai le goût de me tuer",
    "chu tanné, j'veux juste crever",
    "je vais me pitcher en bas du pont",
    "j'vais me garocher en bas du pont Jacques-Cartier",
    "je veux pu vivre",
    "j'ai pu le goût de vivre",
    "j'ai pus envie de vivre",
    "je vais sauter du pont",
    "j'ai acheté une corde",
    "je me suis acheté une corde",
    "je vais prendre toutes mes pilules",
    "j'vais avaler toutes mes pilules ce soir",
    "je vais prendre tout mes medocs",
    "j'ai stocké toutes mes pilules de seroquel",
    "je pense au suicide",
    "je pense au sucide des fois",
    "j'ai des idées suicidaires",
    "je suis suicidaire",
    "chu suicidaire",
    "mon chum est suicidaire",
    "mon ami veut se suicider",
    "je veux me suicider",
    "jveux me sucider",
    "je vais me suicidé",
    "j'ai écrit ma lettre d'adieu",
    "je veux mettre fin à mes jours",
    "je veux en finir",
    "jveux en finir avec la vie",
    "j'en peux plus je veux en finir avec tout",
    "je préfère être mort",
    "je serais mieux mort",
    "je veux me foutre en l'air",
    "je vais me foutre en l air",
    "je veux me pendre",
    "je vais me jeter sous le métro",
    "je vais me jeter sous un train",
    "je vais me tirer une balle",
    "j'ai un gun sur la tempe",
    "je vais m'ouvrir les veines",
    "j'ai fait une tentative de suicide la semaine passée",
    # France
    "je veux crever",
    "j'ai envie de crever",
    "je vais me flinguer",
    "jvai me buter",
    "je vais me défenestrer",
    "je vais sauter par la fenêtre",
    "je vais sauter du balcon",
    "je veux plus vivre",
    "j'ai plus envie de vivre",
    "jsuis prete a mourir",
    "je v me tuer",
    "jve me tuer",
    "je vais prendre toute la boîte de doliprane",
    "je vais avaler une poignée de cachets",
    "toutes mes pilules",
    "j'ai plus aucune raison de vivre",
    "je veux disparaître pour toujours",
    # English
    "I want to die",
    "i wanna die",
    "i just want to die tonight",
    "I'm going to kill myself",
    "im gonna kill myself",
    "imma kill myself",
    "kms",
    "i want to kill myself",
    "I'm thinking about suicide",
    "I've been having suicidal thoughts",
    "i'm suicidal",
    "my friend is suicidal",
    "I want to end my life",
    "i'm going to end it all",
    "i want to end it",
    "I'm going to take all my pills",
    "gonna take all of my meds tonight",
    "i'm going to swallow the whole bottle of tylenol",
    "i'm going to jump off the bridge",
    "bridge jump tonight",
    "i'm going to hang myself",
    "i bought a noose",
    "I wish I was dead",
    "everyone would be better off if i was dead, i'm better off dead",
    "i don't want to live anymore",
    "i dont wanna live",
    "I have no reason to live",
    "I'm going to shoot myself",
    "I wrote a suicide note",
    "i want to unalive myself",
    "i tried to commit suicide last year",
    "i'm planning to overdose on purpose",
    "take my own life",
    "je pense à en finir",
    "je vais me laisser mourir dans la rue",
    "j'ai envie de me jeter en bas du pont",
    "i feel like ending it",
    "i have pills saved up",
    "i've been stockpiling pills",
    "je suis sur le toit, je vais sauter",
    "honestly i just want to be dead",
    # Issue 8: indirect phrasings
    "j'ai donné mon chat à ma sœur, j'en aurai pu besoin",
    "jai donné ma guitare pis mon chien, j'en aurai plus besoin",
    "i gave away my guitar and my cat, i won't need them anymore",
    "gave my dog to my sister, i won't need him anymore",
    "j'ai écrit une lettre pour ma mère au cas où il m'arriverait quelque chose",
    "j'ai laissé des lettres pour mes enfants pour quand je serai plus là",
    "i wrote letters to my family in case something happens",
    "i left a note for my mom for when i'm gone",
    "c'est un adieu",
    "ceci est mon dernier message",
    "this is goodbye",
    "this is my last message",
    "j'ai fait mes adieux",
    "vous entendrez plus parler de moi",
    "you'll never hear from me again",
    "i won't be here tomorrow",
    "je serai plus là demain",
    "je suis sur le pont, je regarde l'eau",
    "chu sur le toit de mon bloc",
    "je suis au bord du pont",
    "im on the roof of my building rn",
    "i'm standing on the bridge",
    "i'm on the ledge",
    "je suis en haut du viaduc",
]

SUICIDE_CONCERN = [
    "je veux pu me réveiller",
    "jveux juste dormir pis pu jamais me réveiller",
    "j'aimerais ne plus me réveiller",
    "je voudrais m'endormir pour toujours",
    "à quoi bon",
    "a quoi bon continuer",
    "tout le monde serait mieux sans moi",
    "je suis un fardeau pour ma famille",
    "je suis de trop sur cette terre",
    "personne remarquerait si je disparaissais",
    "je veux juste disparaître",
    "chu tanné de vivre",
    "j'en ai marre de la vie",
    "fatiguée de vivre",
    "j'en peux plus",
    "j'en peux pu",
    "jen peux plus de vivre comme ça",
    "je tiens plus le coup",
    "chu pu capable",
    "j'ai peur de faire une connerie",
    "je vais faire une grosse connerie",
    "je sers à rien, personne m'aime",
    "je vois aucune issue",
    "j'ai plus d'espoir",
    "what's the point",
    "what is the point of living",
    "i don't want to wake up tomorrow",
    "i want to sleep forever",
    "i'm such a burden",
    "everyone would be better off without me",
    "nobody would miss me",
    "I'm so tired of living",
    "i want it all to stop",
    "i can't go on",
    "there's no hope",
    "c'est quoi le numéro pour la prévention du suicide",
    "800mg",
    "j'ai 30 comprimés de 500 mg",
    "💊💊💊💊",
    "j'ai des idées noires",
    "i keep having dark thoughts",
    "le monoxyde de carbone",
    "je veux plus être là",
    "jai envie de tout arreter",
    "je veux m'en aller pour toujours",
    "j'ai plus le goût de rien",
    "ma vie vaut rien",
    "life is not worth it",
    "i'm going to do something stupid",
    "i don't see a way out",
    "ils seraient mieux si j'étais plus là",
    "they'd all be happier without me",
    "ma famille serait plus heureuse sans moi",
    # Issue 8: indirect phrasings
    "de toute façon ça sert plus à rien de continuer",
    "ça sert pu à rien",
    "la vie sert plus à rien",
    "à quoi ça sert de continuer",
    "what's the use of living",
    "j'ai donné toutes mes affaires à mes chums",
    "je donne toutes mes affaires",
    "i'm giving away all my stuff",
    "i gave away all my things",
    "jai tout réglé, mes comptes, mes affaires, c'est la fin",
    "c'est la fin pour moi",
    "i've sorted everything out, this is the end",
    "j'ai fait mon testament, je suis prête",
    # hopelessness said of everything
    "everything feels pointless lately and i cant sleep",
    "nothing matters anymore",
    "plus rien n'a de sens depuis qu'elle est partie",
    "tout me semble inutile",
]

SELF_HARM_PHRASES = [
    "jme suis encore faite des marques su les bras avec une lame",
    "i keep burning my arm with a lighter, did it again tonight",
    "je me scarifie",
    "je me suis encore scarifiée",
    "je me mutile",
    "je me coupe les bras",
    "je me suis coupée encore hier soir",
    "je me suis encore coupée",
    "je me suis recoupée",
    "jme suis encore coupé les bras",
    "j'ai envie de me couper",
    "je me fais du mal",
    "jme fais du mal",
    "je me brûle avec des cigarettes",
    "automutilation",
    "i cut myself",
    "i've been cutting myself",
    "i keep hurting myself",
    "self harm",
    "i self-harm when im stressed",
    "i burn myself",
    "i need a blade to cut",
]

OVERDOSE_URGENT = [
    "ma pote a sniffé un truc, elle convulse et elle répond plus",
    "je reconnais les signes, il fait une overdose là",
    "mon ami fait une overdose",
    "mon chum fait une od",
    "elle fait une surdose",
    "il est en train de faire une overdose",
    "il respire pu",
    "il respire plus",
    "elle respire presque pas",
    "il se réveille pas",
    "je suis pas capable de le réveiller, je peux pas le réveiller",
    "ses lèvres sont bleues",
    "il est tout bleu",
    "il est inconscient",
    "elle a perdu connaissance",
    "j'ai pris toutes mes pilules",
    "g pri tt mes medoc",
    "j'ai avalé une boîte entière de tylenol",
    "j'ai pris 40 comprimés",
    "j'ai pris trop de fentanyl",
    "j'ai fumé trop de crack",
    "he smoked too much fent",
    "je lui ai donné du narcan",
    "my friend is overdosing",
    "he's od'ing",
    "she is not breathing",
    "he isn't breathing",
    "he won't wake up",
    "he's unresponsive",
    "her lips are blue",
    "he's turning blue",
    "i took all my pills",
    "i took a whole bottle of advil",
    "I took too many pills",
    "i gave him narcan",
    "I took 30 xanax",
    "mon ami a pris du fentanyl pis il bouge pu",
    "il est par terre il répond plus",
    "he's not moving after he used",
    "j'ai avalé la moitié de mes comprimés",
    "i swallowed half a pack of sleeping pills",
    "elle répond pas du tout quand je la secoue",
    "he won't respond to anything",
    "quoi faire il fait une overdose",
    "comment je fais, mon chum fait une od",
    "quand il fait une od je fais quoi",
    "what do i do he's overdosing",
    # a question about *this* person is the emergency, not a lesson
    "how do i know if he's overdosing",
    "comment savoir si il fait une od, il respire bizarre",
]

OVERDOSE_CONCERN = [
    "j'ai peur de faire une overdose",
    "overdose",
    "j'ai trop consommé",
    "i think i took too much",
    "je peux pas respirer",
]

VIOLENCE_URGENT = [
    "my dad is wasted and beating up my mom right now",
    "im scared hes gonna come for me next",
    "mon daron est bourré il cogne ma mère là maintenant",
    "mon beau-père me crisse des volées pis là y me cherche dans la maison",
    "mon chum va me tuer",
    "il va me tuer",
    "mon ex menace de me tuer",
    "il m'a menacée de mort",
    "il a un couteau",
    "mon mari a sorti un gun",
    "il me menace avec un couteau",
    "il a un couteau sous ma gorge",
    "on m'a poignardé",
    "on m'a tiré dessus",
    "il m'étrangle",
    "je vais le tuer",
    "jvais tuer mon voisin",
    "he's going to kill me",
    "my boyfriend is going to kill me",
    "he threatened to kill me",
    "he has a gun",
    "my husband has a knife",
    "he is choking me",
    "i got stabbed",
    "i've been shot",
    "i'm going to kill him",
    "i fear for my life",
    "j'ai peur pour ma vie",
    "il veut me violer",
    "ya un gars avec un gun",
    "il est armé",
    # Issue 8: someone breaking down the door
    "il défonce la porte, j'ai peur",
    "mon ex est en train de défoncer la porte",
    "ils enfoncent la porte",
    "il fesse dans la porte pis il crie",
    "he's kicking the door in right now",
    "my ex is breaking down the door",
    "someone is banging on my door and trying to break in",
    "he's trying to get in, help",
    "il essaie de rentrer de force",
]

VIOLENCE_CONCERN = [
    "mon chum me frappe",
    "mon mari me bat",
    "il m'a frappée hier",
    "mon conjoint me tabasse",
    "elle me bat",
    "il m'enferme dans la maison",
    "je me suis fait agresser",
    "on m'a drogué dans un bar",
    "j'ai peur de mon chum",
    "j'ai peur de rentrer chez moi",
    "il me menace de me frapper",
    "my boyfriend hits me",
    "he beats me",
    "my husband hurt me",
    "someone drugged me",
    "i'm scared of my husband",
    "i got jumped last night",
]

# Issue 8: a sexual assault told by the person gets the sexual-assault line.
SEXUAL_ASSAULT_CONCERN = [
    "j'ai été violée",
    "j'ai subi une agression sexuelle",
    "i was raped",
    "on m'a violée l'an passé",
    "je me suis fait violer",
    "jme suis fait agresser sexuellement",
    "il m'a agressée sexuellement",
    "mon ex m'a violée",
    "un gars m'a tripotée dans le métro",
    "il a abusé de moi",
    "il a profité de moi quand j'étais saoule",
    "j'ai vécu un viol",
    "il a couché avec moi sans mon consentement",
    "j'ai dit non pis il a continué",
    "he raped me",
    "my ex sexually assaulted me",
    "i was sexually assaulted at a party",
    "someone took advantage of me when i was drunk",
    "a guy groped me on the bus",
    "i survived a sexual assault",
    "it happened without my consent",
    "i said no but he kept going",
]

SEXUAL_ASSAULT_URGENT = [
    "un gars m'a forcée hier soir après le party",
    "je me suis fait violer cette nuit",
    "on m'a violée tantôt",
    "he raped me last night",
    "i was raped tonight",
    "someone took advantage of me last night when i was passed out",
]

SEXUAL_ASSAULT_TRAPS = [
    "elle répond plus à mes messages depuis hier",
    "il frappe fort au hockey",
    "je vais prendre mes médicaments ce soir comme d'habitude",
    "gonna take my meds tonight",
    "il me cherche partout pour me rendre mes clés",
    "je me suis fait des marques au crayon sur le bras",
    "mon père frappe ma porte pour que je me lève maintenant",
    "il ressemble à quoi quelqu'un qui fait une OD ?",
    "à quoi ça ressemble quelqu'un qui est en train de faire une od",
    "i think i overdosed on coffee this morning haha",
    "this homework is pointless",
    "la réunion était inutile",
    "the meeting is pointless, nothing makes sense in that report",
    "il m'a forcé à partir",
    "ils m'ont forcé à signer le bail",
    "il a abusé de ma confiance",
    "il a abusé de mon argent",
    "il a profité de moi financièrement",
    "my boss took advantage of me, he never paid me",
    "c'est quoi le consentement",
    "how do i report a rape for a friend of mine, what are the steps",
    "j'ai forcé la porte de mon casier",
]

CHILD_URGENT = [
    "I'm being forced to have sex and I'm only 12",
    "mon beau-père me touche",
    "mon oncle me touche la nuit",
    "mon père m'a violée",
    "un adulte m'a touché",
    "il touche mes parties",
    "j'ai 13 ans et mon père me frappe",
    "j'ai 15 ans pis mon chum me frappe",
    "i'm 14 and my dad hits me",
    "my stepdad touches me",
    "my uncle touched me",
    "a man touched me and i'm 9",
    "il frappe ma fille",
    # Issue 8: a step-parent at night
    "mon beau-père vient dans ma chambre la nuit",
    "mon beau-pere rentre dans mon lit quand ma mere dort",
    "le chum de ma mère vient dans ma chambre le soir",
    "mon oncle se glisse dans mon lit",
    "my stepdad comes into my room at night and i can't sleep",
    "my mom's boyfriend comes in my room at night",
    "my uncle sneaks into my bed",
    "j'ai 13 ans et il a abusé de moi",
    "I'm 14 and he raped me",
    "mon chum bat mon fils",
    "he hits my kids",
]

CHILD_CONCERN = [
    "mon père me frappe",
    "ma mère me bat",
    "mes parents me frappent",
    "mon beau-père me tape dessus",
    "ma mère m'enferme",
    "my dad hits me",
    "my mom beats me",
    "my parents hurt me",
    "inceste",
]

OTHER_URGENT = [
    "je suis en danger",
    "i'm in danger",
    "ça saigne beaucoup",
    "i'm bleeding a lot",
]

OTHER_CONCERN = [
    "au secours",
    "à l'aide",
    "somebody help me",
]

TRAPS = [
    # The brief's list
    "mort de rire",
    "mdr",
    "ce film m'a tué",
    "this traffic is killing me",
    "je suis mort de fatigue",
    "killer deal",
    "tuer le temps",
    "I'd kill for a coffee",
    # Figures of speech
    "chu mort",
    "je suis morte de rire",
    "ptdr j'suis mort",
    "ça me tue",
    "tu me tues",
    "ça va me tuer, ce travail",
    "ce boulot va me tuer",
    "je vais me tuer à la tâche",
    "my feet are killing me",
    "you're killing me lol",
    "she's killing it",
    "dead tired",
    "I'm dead lol",
    "i'm dying to see that movie",
    "im dying of laughter",
    "my phone is about to die",
    "mon cell va mourir",
    "je meurs de faim",
    "je vais crever de froid dehors",
    "je crève de faim",
    "j'ai une overdose de séries",
    "overdose de chocolat",
    "tuer le temps en attendant le bus",
    "we killed time at the mall",
    "il me tape sur les nerfs",
    "mon frère me tape sur les nerfs",
    "ça me pend au nez",
    "je vais me jeter à l'eau et postuler",
    "je saute dans le métro",
    "je me suis coupé les cheveux",
    "je me suis coupé le doigt en cuisinant",
    "il me coupe la parole",
    "hydro me coupe le courant",
    "ça me coupe l'appétit",
    "mon dos me fait mal",
    "le dentiste m'a fait mal",
    "ça me fait mal au genou",
    "j'ai mal à la tête",
    "end things with my boyfriend",
    "je veux en finir avec mes dettes",
    "on va en finir avec ce dossier",
    "shot of tequila",
    "he shot me a text",
    "il y a un couteau dans la cuisine",
    "j'ai besoin d'un couteau suisse",
    "suicide squad",
    "je veux pas vivre avec mes parents",
    "I don't want to live with my parents",
    "je veux plus vivre ici",
    "i don't want to live here anymore",
    "mon fils se réveille pas le matin pour l'école",
    "j'ai trop bu hier",
    "j'ai fait une connerie au travail",
    "pas d'avenir dans ce job",
    "aucun espoir pour mon dossier",
    "disparu",
    "mon chien a disparu",
    "my ex threatened to leave",
    "il menace de partir",
    "mon proprio me menace de m'expulser",
    "je me sens seul",
    "je veux disparaître de vos dossiers",
    "ma mère répond pas à mes textos",
    "il répond plus à mes messages",
    "je fume trop de pot",
    "my roommate kicked me out",
    "help me please",
    "please help me find a shelter",
    "ça sert à rien",
    # Harm-reduction and health questions go to the FAQ, not the crisis protocol
    "c'est quoi la naloxone",
    "où trouver une trousse de naloxone",
    "c'est quoi les signes d'une overdose",
    "comment on reconnaît une overdose ?",
    "comment tu reconnais une surdose",
    # Issue 8: danger signs are harm-reduction questions
    "comment reconnaitre une surdose",
    "c'est quoi les symptômes d'une surdose au fentanyl",
    "comment savoir si quelqu'un fait une od",
    "comment on sait si une personne est en surdose",
    "what does an overdose look like",
    "how can you tell if someone's overdosing on opioids",
    "how do you know if somebody is overdosing",
    "how to recognize an opioid overdose",
    "what are the signs someone is overdosing",
    "c'est quoi les signes qu'une personne fait une surdose",
    "signes d'une od",
    # Issue 8: harmless texts the NLU once read as crises
    "j'ai crevé mon pneu de vélo, où je peux le faire réparer?",
    "ma coloc a pris mes écouteurs",
    "quelqu'un a volé mon vélo devant le dépanneur",
    "mon coloc a bu tout mon lait encore",
    "my roommate borrowed my charger and never gave it back",
    "le party d'hier m'a tué, chu brûlé",
    "ma batterie est morte, jvais t'écrire plus tard",
    "j'ai coupé des oignons, j'en pleure",
    # Indirect-phrasing traps
    "ça sert à rien",
    "ça sert à rien de chialer",
    "j'ai donné mes vieux vêtements à l'église",
    "j'ai donné mon linge au comptoir familial",
    "i gave my old clothes to goodwill",
    "i gave him my number",
    "j'ai donné mon cv, j'en aurai besoin demain",
    "j'ai écrit une lettre au propriétaire",
    "j'ai écrit une lettre de motivation",
    "i wrote a letter to my landlord",
    "c'est la fin du mois, j'ai plus d'argent",
    "this is the end of the month and i'm broke",
    "il y a de la neige sur le toit",
    "je suis sur le pont Jacques-Cartier dans le trafic",
    "i'm on the bridge, traffic is crazy",
    "je travaille sur un toit cette semaine",
    "j'ai tout réglé avec mon proprio",
    "mon beau-père vient me chercher demain",
    "mon père rentre tard le soir",
    "my stepdad comes home late at night",
    "ma mère vient dans ma chambre pour me réveiller",
    "mon père vient dans ma chambre me dire bonne nuit",
    "ma soeur entre dans ma chambre sans cogner",
    "le concierge a défoncé la porte du local pour réparer un tuyau",
    "je défonce la porte de ma chambre par accident",
    "the wind broke the window",
    "il essaie de rentrer le chien",
    "je me suis coupé en me rasant",
    "comment éviter une surdose",
    "how to prevent an overdose",
    "what are the signs of an overdose",
    "free naloxone kit",
    "bandelettes de test fentanyl",
    "fentanyl test strips",
    "c'est dangereux de mélanger alcool et benzos?",
    "où faire un test de dépistage anonyme",
    "je prends mes médicaments tous les jours",
    "où je peux avoir mes médicaments sans carte",
    # Everyday needs and small talk
    "j'ai pu une cenne",
    "y reste tu des lits ce soir",
    "chu dans marde",
    "j'ai la dalle",
    "je dors dehors",
    "j'ai plus une thune",
    "qui a gagné la game hier",
    "il fait frette en esti",
    "raconte-moi une blague",
    "bonjour",
    "merci beaucoup",
    "hi there",
    "where can i take a shower",
    "i need a bed tonight",
    "je cherche une banque alimentaire",
    "c'est quoi un travailleur de rue",
    "",
    "   ",
    "🙂🙂",
    "💊",
]


def _check(text: str, level: CrisisLevel, category: CrisisCategory | None) -> None:
    verdict = screen.screen(text)
    assert (verdict.level, verdict.category) == (level, category), normalise(text)


@pytest.mark.parametrize("text", SUICIDE_URGENT)
def test_suicidal_intent_plan_or_method_is_urgent(text: str) -> None:
    _check(text, U, SUICIDE)


@pytest.mark.parametrize("text", SUICIDE_CONCERN)
def test_passive_ideation_and_method_words_are_a_concern(text: str) -> None:
    _check(text, C, SUICIDE)


@pytest.mark.parametrize("text", SELF_HARM_PHRASES)
def test_self_harm_is_a_concern(text: str) -> None:
    _check(text, C, SELF_HARM)


@pytest.mark.parametrize("text", OVERDOSE_URGENT)
def test_overdose_and_not_breathing_are_urgent(text: str) -> None:
    _check(text, U, OVERDOSE)


@pytest.mark.parametrize("text", OVERDOSE_CONCERN)
def test_overdose_worries_are_a_concern(text: str) -> None:
    _check(text, C, OVERDOSE)


@pytest.mark.parametrize("text", VIOLENCE_URGENT)
def test_weapons_and_threats_to_kill_are_urgent(text: str) -> None:
    _check(text, U, VIOLENCE)


@pytest.mark.parametrize("text", VIOLENCE_CONCERN)
def test_disclosed_violence_is_a_concern(text: str) -> None:
    _check(text, C, VIOLENCE)


@pytest.mark.parametrize("text", SEXUAL_ASSAULT_CONCERN)
def test_a_sexual_assault_told_is_its_own_category(text: str) -> None:
    _check(text, C, ASSAULT)


@pytest.mark.parametrize("text", SEXUAL_ASSAULT_URGENT)
def test_a_sexual_assault_that_just_happened_is_urgent(text: str) -> None:
    _check(text, U, ASSAULT)


@pytest.mark.parametrize("text", SEXUAL_ASSAULT_TRAPS)
def test_force_and_abuse_of_other_kinds_are_not_sexual_assault(text: str) -> None:
    assert screen.screen(text).category is not ASSAULT, normalise(text)


@pytest.mark.parametrize("text", CHILD_URGENT)
def test_sexual_abuse_of_a_child_or_a_minor_hurt_is_urgent(text: str) -> None:
    _check(text, U, CHILD)


@pytest.mark.parametrize("text", CHILD_CONCERN)
def test_a_parent_hitting_is_child_abuse(text: str) -> None:
    _check(text, C, CHILD)


@pytest.mark.parametrize("text", OTHER_URGENT)
def test_other_immediate_danger_is_urgent(text: str) -> None:
    _check(text, U, OTHER)


@pytest.mark.parametrize("text", OTHER_CONCERN)
def test_a_cry_for_help_is_a_concern(text: str) -> None:
    _check(text, C, OTHER)


@pytest.mark.parametrize("text", TRAPS)
def test_figures_of_speech_questions_and_needs_are_not_flagged(text: str) -> None:
    _check(text, N, None)


@pytest.mark.parametrize(
    "text",
    [
        "JE VEUX MOURIR",
        "Je Veux Mourir",
        "je veux mourrir",
        "je veux mouriiiir",
        "je veuuuux mourir",
        "j e veux mourir"[2:],
        "je veu mourir!!!",
        "je-veux-mourir",
        "je veux... mourir",
        "jveu mouri",
        "je ve mourir",
        "I WANT TO DIE",
        "i want to dieeeee",
        "i want 2 die",
        "I’m going to kill myself",
        "i'm gonna killlll myself",
        "im gona kil myself",
    ],
)
def test_case_accents_elongations_and_sms_spelling_are_tolerated(text: str) -> None:
    assert screen.screen(text).level is not N, normalise(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tuéé", " tue "),
        ("mourirrrr", " mourir "),
        ("jveuuux", " je veux "),
        ("chu", " je suis "),
        ("j'veux pu", " j veux plus "),
        ("PILLULES", " pilules "),
        ("I can't", " i can not "),
        ("don't", " do not "),
        ("I've been", " i have ben "),
        ("œuvre", " oeuvre "),
        ("tt ttes", " tout toutes "),
        ("t'es où", " t es ou "),
    ],
)
def test_normalisation(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_the_more_specific_category_wins_at_the_same_level() -> None:
    verdict = screen.screen("mon ami fait une overdose, il parlait de suicide")
    assert (verdict.level, verdict.category) == (U, OVERDOSE)


def test_the_highest_level_wins() -> None:
    verdict = screen.screen("mon chum me frappe et je veux mourir")
    assert (verdict.level, verdict.category) == (U, SUICIDE)


@pytest.mark.parametrize(
    "text",
    [
        "je me suis coupée, ça saigne beaucoup",
        "je me suis encore coupée, ça arrête pas de saigner",
        "je me suis recoupée, y a du sang partout",
        "i cut myself again and it won't stop bleeding",
    ],
)
def test_bleeding_makes_self_harm_urgent_without_changing_what_it_is_about(text: str) -> None:
    verdict = screen.screen(text)
    assert (verdict.level, verdict.category) == (U, SELF_HARM), normalise(text)


def test_a_threat_of_rape_stays_urgent_violence() -> None:
    verdict = screen.screen("il veut me violer")
    assert (verdict.level, verdict.category) == (U, VIOLENCE)


def test_a_minor_telling_of_a_sexual_assault_is_child_abuse() -> None:
    verdict = screen.screen("j'ai 14 ans et un gars m'a violée")
    assert (verdict.level, verdict.category) == (U, CHILD)


def test_a_crisis_buried_in_a_long_message_is_found() -> None:
    filler = "je cherche une place pour manger pis dormir ce soir. " * 100
    text = (filler + "je vais me tuer. " + filler)[:10_000]
    assert len(text) == 10_000
    assert screen.screen(text).level is U


@pytest.mark.parametrize(
    "text",
    [
        "a" * 10_000,
        "je " * 3_333,
        "me " * 3_333,
        ("il " + "x " * 50) * 190,
        "é" * 10_000,
    ],
)
def test_pathological_long_input_is_read_to_the_end(text: str) -> None:
    # How long these take is measured by `python -m benchmarks.understanding` (docs/nlu.md),
    # not asserted here; what a person would notice is that the verdict is right.
    assert screen.screen(text).level is CrisisLevel.NONE
    assert screen.screen(text + " je veux mourir").level is not CrisisLevel.NONE


def test_the_screen_is_deterministic() -> None:
    verdicts = {screen.screen("jveux pu vivre") for _ in range(5)}
    assert len(verdicts) == 1
