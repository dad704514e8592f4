package extract

import "strings"

// The built-in word lists below were written for this project. They encode
// what an analyst means by "not a concept": vague nouns, evaluative adjectives
// and the filler of note-taking.

// genericNouns never stand alone as concepts, and are dropped as the head of a
// longer phrase ("the Moloch concept" → Moloch).
var genericNouns = set(`
thing things stuff way ways part parts lot lots example examples question questions issue issues
concern concerns aspect aspects idea ideas level levels kind kinds type types sort form forms role
roles impact impacts nature importance need needs focus discussion discussions definition mention
proposal advantage difference differences comparison comparisons point points fact facts case cases
time times year years day days moment moments world life lives people person persons man men woman
women everyone someone something anything everything nothing others other one ones area areas
field fields side sides end beginning start number numbers amount group groups place places
problem problems challenge challenges result results outcome outcomes effect effects cost costs
reason reasons matter matters situation situations context scenario scenarios approach approaches
method methods process processes system systems concept concepts term terms notion view views
perspective perspectives opinion opinions insight insights note notes detail details video videos
episode episodes podcast podcasts show shows conversation conversations talk talks interview
guest guests host hosts topic topics theme themes section sections summary takeaway takeaways
introduction intro conclusion overview recap highlights highlight chapter chapters segment segments
bit bits piece pieces step steps list lists set sets series line lines top bottom
use uses user users work hand hands head heads eye eyes mind minds thought thoughts
sense feeling feelings deal deals kid kids child children parent parents family families
version versions future past present today tomorrow era age period phase stage
lesson lessons skill skills goal goals degree extent range rate rates scale size share
thinking look looks attempt attempts effort efforts ability abilities capacity potential
trend trends factor factors element elements feature features component components
quality qualities value values benefit benefits downside downsides upside upsides risk risks
harm harms gain gains loss losses change changes shift shifts rise fall growth decline increase
attitude attitudes experience experiences direction directions manner
background backgrounds answer answers consideration considerations reference references
human humans kid kids adult adults creative creatives audience audiences individual individuals
name names text texts book books word words
month months week weeks money phone phones tool tools task tasks choice choices output outputs
image images machine machines contract contracts search fight floor rent story stories worry
client clients country countries product products staff demo internals behaviour behavior
room rooms table tables thread threads post posts page pages chat email message messages
follow-up follow-ups followup sequel
society member members crowd public format formats reply replies response responses
mark marks score scores everyone anyone nobody somebody everybody anybody
`)

// weakModifiers are adjectives (and a few nouns used as modifiers) that add no
// meaning to a concept: "great insights", "certain videos", "real-world harms".
var weakModifiers = set(`
great good bad big small large little huge major minor main key important significant certain
various several many much more most less least few other another such same different similar
new old first last next previous current recent early late additional further extra particular
specific general common usual typical overall entire whole full real true actual potential possible
likely unlikely clear obvious interesting surprising amazing incredible fascinating detailed brief
short long high low higher lower top best worst better worse nuanced broader broad wider wide
existing original continued ongoing increasing growing emerging primary secondary basic simple
easy hard difficult nearly fairly very really truly simply ultimately initially currently
unique own various distinct specific pure overly extremely intense positive negative
real-world high-profile high-quality under-discussed well-running so-called
today's modern traditional ideal personal professional technological human
`)

// fillerPhrases are the furniture of note-taking; a candidate containing one
// is dropped whole ("FTB Deep Dive", "key takeaways").
var fillerPhrases = []string{
	"table of content", "deep dive", "key takeaway", "episode note", "show note", "great insight",
	"great perspective", "detailed note", "first ever", "plain and simple", "example given",
	"time stamp", "timestamp", "further reading", "action item", "main point", "key point",
	"this episode", "this video", "the cycle", "a lot", "the question", "closing thought",
	"opening thought", "final thought", "companion episode", "interview format", "listener question",
	"show format", "sponsor", "further listening", "related episode", "note to self", "my takeaway",
}

// stopwords are function words that never start or end a concept.
var stopwords = set(`
a an the this that these those some any each every all both either neither no not
i me my we our us you your he him his she her it its they them their there here
is are was were be been being am do does did have has had will would shall should can could may might must
and or but nor so yet for of to in on at by with from into onto about above below over under
than then as if when where why how what which who whom whose while because though although
also just only even still already again ever never always often sometimes
vs vs. versus v v. e.g. i.e. etc etc. via per
`)

// vagueWords make a phrase vague when every word of it is one of them.
var vagueWords = set(`thing things stuff way ways lot lots part parts kind kinds type types sort aspect
aspects bit bits piece pieces one ones something anything everything nothing someone everyone people
example examples question questions point points fact facts case cases idea ideas level levels
number numbers amount issue issues matter matters time times`)

// firstNames are common given names: with a capitalised word after them they
// start a person's name. Short on purpose; surnames seen with them elsewhere
// in an episode are joined to the full name.
var firstNames = set(`
adam alan albert alex alexander alice amanda amy andrew angela anna anne anthony ben benjamin bill
bob brian carl carol catherine charles charlie chris christopher claire daniel david deborah dennis
donald douglas edward elizabeth emily emma eric ethan frank gary george grace greg hannah harry helen
henry ian jack jacob james jane jason jennifer jessica jim joe john jonathan joseph joshua julia karen
kate katherine kevin larry laura lauren linda lisa liv lucy margaret maria mark martin mary matthew
max michael michelle mike nancy nathan nicholas nick noah oliver patricia paul peter philip rachel
richard robert ryan sam samuel sarah scott sean sophie stephen steve steven susan thomas tim timothy
tom tristan victoria william yuval elon sam lex naval nassim marc reid demis dario ilya geoffrey yann
eliezer nick toby will jordan andrew noam shoshana neil carl malcolm brene esther sundar satya jeff
bernie barack hillary kamala joe ursula angela emmanuel vladimir xi narendra justin friedrich karl
milton adam john ludwig wolfgang johann sigmund hannah simone jean jacques michel
`)

// acronyms maps common acronyms to the expansion they stand for, so the two
// forms become one concept. Texts that define their own acronyms ("universal
// basic income (UBI)") add to this per episode.
var acronyms = map[string]string{
	"AI":   "artificial intelligence",
	"AGI":  "artificial general intelligence",
	"ASI":  "artificial superintelligence",
	"ML":   "machine learning",
	"LLM":  "large language model",
	"LLMs": "large language model",
	"NLP":  "natural language processing",
	"RLHF": "reinforcement learning from human feedback",
	"UBI":  "universal basic income",
	"GDP":  "gross domestic product",
	"VR":   "virtual reality",
	"AR":   "augmented reality",
	"IP":   "intellectual property",
	"WGA":  "Writers Guild of America",
	"CHT":  "Center for Humane Technology",
	"EA":   "effective altruism",
	"ADHD": "attention deficit hyperactivity disorder",
	"CBT":  "cognitive behavioral therapy",
	"GPU":  "graphics processing unit",
	"GPUs": "graphics processing unit",
	"API":  "application programming interface",
	"NFT":  "non-fungible token",
	"CEO":  "chief executive officer",
	"PTSD": "post-traumatic stress disorder",
	"SSRI": "selective serotonin reuptake inhibitor",
	"ESG":  "environmental, social and governance",
	"MMT":  "modern monetary theory",
	"GPT":  "generative pre-trained transformer",
	"NHS":  "National Health Service",
	"FDA":  "Food and Drug Administration",
	"EU":   "European Union",
	"UN":   "United Nations",
	"US":   "United States",
	"USA":  "United States",
	"UK":   "United Kingdom",
}

// conceptAcronyms are acronyms that name ideas rather than organisations.
var conceptAcronyms = set(`AI AGI ASI ML LLM LLMs NLP RLHF UBI GDP VR AR IP EA ADHD CBT GPU GPUs API NFT PTSD SSRI ESG MMT GPT CEO`)

// orgWords mark a proper name as an organisation.
var orgWords = set(`
center centre institute foundation council lab labs laboratory collective alliance network commission
society guild union association company corporation corp inc ltd llc group university college
school academy agency department ministry bureau committee party church studio studios pictures
records press times journal news media bank fund trust partners ventures capital technologies
systems inc. co. co federation league club team board authority office service services plus
openai anthropic deepmind google microsoft meta apple amazon netflix disney hbo youtube tiktok
facebook instagram twitter spotify nvidia tesla
`)

// phrases are fixed multiword expressions that are concepts although no
// part-of-speech pattern would keep them whole.
var phrases = []string{
	"race to the bottom", "checks and balances", "trial and error", "supply and demand",
	"tragedy of the commons", "prisoner's dilemma", "theory of mind", "rule of law",
	"freedom of speech", "cost of living", "separation of powers", "division of labor",
	"division of labour", "means of production", "law of unintended consequences",
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
