"""A generated training corpus that teaches sense: whose body, which meaning of the word, when.

Templates are crossed with small word lists (people someone may look after, people and things
they do not, everyday senses of our red-flag words, places and times) under a fixed seed, so the
same rows come out on every run. Each list holds ordinary English, not phrases from any
evaluation set. Rows are ``(text, intent, side)`` like the labelled TSV sets.
"""

from __future__ import annotations

import random
from typing import Iterator

Row = tuple[str, str, str]

SEED = 11
"""Fixed so the corpus, and so the trained weights, are reproducible."""

# people ------------------------------------------------------------------
CARED_FOR = [("my mum", "her"), ("my dad", "his"), ("my husband", "his"), ("my wife", "her"), ("mum", "her"),
             ("dad", "his"), ("grandad", "his"), ("nan", "her"), ("my partner", "their"),
             ("the gentleman I look after", "his"), ("the lady I care for", "her"), ("my father", "his"),
             ("my mother", "her"), ("my auntie", "her"), ("granny", "her"), ("my client", "their")]
"""People a carer speaks for: their body counts as the person's body."""
SELF = [("I", "my"), ("i", "my"), ("I", "me"), ("I", "my")]

OTHERS_FINE = ["my grandson", "my granddaughter", "the little one", "my nephew", "the neighbour's boy",
               "a lad at the park", "my son's friend", "one of the kids", "the toddler next door", "our Jack"]
"""People whose mishaps in passing are no red flag of the speaker's."""
ANIMALS = ["the cat", "our dog", "the neighbour's cat", "my budgie", "the puppy", "a squirrel", "the hamster",
           "next door's dog", "the kitten", "a pigeon"]
THINGS_FALL = ["a vase", "the picture frame", "a plant pot", "my glasses", "the remote", "a cup",
               "the bin", "a book off the shelf", "the ironing board", "a tin of beans", "the lamp", "my phone"]
PLACES_HIGH = ["the shed roof", "the garden wall", "the fence", "the sofa", "the table", "a tree", "the windowsill",
               "the top bunk", "the climbing frame", "the swing", "his scooter", "her bike", "his bike", "the trampoline"]
FINE = ["but he's laughing about it", "but she's absolutely fine", "but nobody was hurt", "and he's up and running about",
        "and she didn't even cry", "but no harm done", "and it's fine", "and he just got straight back on",
        "but she's giggling now", "no injuries thank goodness", "and walked off like nothing happened"]

# our words in other senses ---------------------------------------------------
OTHER_SENSES = [
    # fever
    "my hay fever is terrible this week", "the pollen is setting off my hay fever", "what helps with hay fever",
    "the crowd was at fever pitch", "world cup fever has hit the village", "I've got cabin fever stuck indoors",
    "play saturday night fever", "there's election fever on the news", "christmas fever in the shops already",
    "the kids have got spring fever", "the excitement reached fever pitch at the match", "gold rush fever film",
    "hay fever tablets or a nasal spray which is better", "the grandchildren have got football fever",
    # numb / tingle in another sense or another body part
    "I'm just numb to the news these days", "honestly I've gone numb to all the bad headlines",
    "my lip is still numb from the dentist", "the dentist's injection left my gum numb", "my jaw's numb after the filling",
    "that film was mind numbing", "it was a mind numbingly boring meeting", "this mint toothpaste makes my mouth tingle",
    "the new mouthwash tingles a lot", "that ghost story was spine tingling", "a tingle of excitement about the holiday",
    "my tongue tingles from the sherbet", "the peppermint tea makes my lips tingle", "my fingers go numb in the cold when I hold the steering wheel",
    "my hands went numb holding the shopping bags", "my thumb's numb from texting",
    # dead: keen, tired, sure, quiet
    "I'm dead keen to get started today", "I'm dead tired after the wedding", "she was dead chuffed with her present",
    "it's dead quiet in the village today", "I'm dead sure I left the keys on the table", "that joke was dead funny",
    "the phone's dead, where's the charger", "the battery in the clock is dead", "I'm dead excited about the holiday",
    # weak / give way about things
    "the table has a wobbly leg", "one leg of the kitchen chair is loose and wobbly", "the shelf gave way under the books",
    "the fence gave way in the wind", "the old garden bench gave way", "the wifi signal is weak upstairs",
    "this tea is too weak", "the coffee's very weak today", "the bed slats gave way last night", "the handle gave way on the bag",
    "the leg of the stool snapped", "the strap gave way on my handbag", "the phone battery is weak",
    "their defence looks weak this season", "the ice on the pond gave way", "the shower pressure is weak",
    # bladder / control / bowel in other senses
    "the bladder in my hiking water pack is leaking", "how do I clean the bladder of my hydration pack",
    "the football bladder has a puncture", "I lost control of the trolley in the car park",
    "the kids are out of control today", "the remote control has stopped working", "bowls club is on thursday",
    "the washing bowl has a crack in it",
    # temperature / hot / cold of things
    "what temperature should I wash wool at", "what temperature do I cook chicken at", "what's the temperature outside",
    "set the thermostat to twenty", "the oven's at two hundred degrees", "the fridge temperature is too high",
    "what temperature is the bath supposed to be for a baby", "is it going to be hot tomorrow",
    "the radiator is burning hot", "the kettle is boiling", "my tea has gone cold", "the car engine is overheating",
    # accidents and crashes of others and of things
    "there's been an accident on the motorway", "a van crashed into the wall across the road, nobody hurt",
    "I knocked over a vase", "the stock market crashed", "my computer crashed again", "the leaves are falling",
    "the tree fell down in the storm", "the price of petrol has fallen", "the cat knocked the plant over",
    "there was a pile up on the ring road", "a lorry has shed its load on the bypass", "the website keeps crashing",
    "I dropped my phone and the screen cracked", "the wardrobe door fell off its hinge", "the snow is falling",
    "she fell asleep in front of the telly", "he fell in love with the new puppy", "I fell behind with the ironing",
    # activities made impossible for things or other reasons
    "I can't walk the dog today it's raining", "I can't sit through another episode of that",
    "the baby can't sit up on her own yet", "the puppy can't climb the stairs", "I can't get the lid off this jar",
    "I can't tie this knot for the parcel", "we can't get the car up the hill in the snow",
    # keeps coming back, not getting better in other senses
    "the damp keeps coming back on the ceiling", "the leak in the roof keeps recurring",
    "the weather isn't getting any better", "the mould keeps coming back in the bathroom",
    "the wifi keeps dropping out every few days", "my cough has been going on for weeks",
]
"""Everyday senses of our words and other people's or things' events: ``unknown``, never a red flag."""

THINGS = ["the shelf", "the fence panel", "the table leg", "the garden chair", "the ladder", "the bed frame", "the gate",
          "the floorboard", "that branch", "the old bridge", "the handle", "the curtain rail", "the washing line",
          "the deckchair", "the trellis", "the banister", "the cake stand", "the sofa bed", "the tent pole", "the kitchen stool"]
THING_STATES = ["is weak", "gave way", "has gone wobbly", "collapsed", "buckled under the weight", "keeps giving way",
                "has no strength left in it", "snapped clean off", "has gone all loose", "fell down"]
WEAK_THINGS = ["the wifi signal", "the torch battery", "the tea", "the pound", "the water pressure", "the phone signal",
               "the radio reception", "the coffee", "the sunlight in here", "the team's defence", "his argument",
               "the hoover suction"]
FEVER_SENSES = ["hay fever", "cabin fever", "spring fever", "football fever", "world cup fever", "election fever",
                "wedding fever", "christmas shopping fever", "saturday night fever", "gold fever"]
FEVER_FRAMES = ["my {f} is driving me mad", "the whole street has got {f}", "is there anything for {f}", "{f} again this year",
                "we've all got a touch of {f}", "I'm reading a book about {f}", "{f} is everywhere on the telly"]
TEMPERATURE = ["to wash wool", "to roast a chicken", "for the fridge", "for the freezer", "for a baby's bath",
               "for the greenhouse", "to proof bread", "for the fish tank", "to set the iron for silk", "to cook rice"]
PASSERS_BY = ["a man at the bus stop", "a footballer on the telly", "a woman in the shop", "someone on the news",
              "a cyclist outside", "the postman", "a jockey in the big race", "a skier on the ski programme"]
PASSER_EVENTS = ["fell over but got straight back up", "took a tumble and was fine", "came off and walked away laughing",
                 "slipped but nobody was hurt", "had a crash but was okay"]

NOT_CARED_FOR = ["my coworker", "my boss", "my friend at bingo", "a lad at work", "someone at church", "the bloke next door",
                 "my mate from the pub", "the postman", "our bus driver", "a woman on the telly", "the actor in that film",
                 "my hairdresser"]
"""People the speaker does not look after: their symptoms are news, not the person's red flag."""
THEIR_TROUBLE = ["is off with a fever", "has got a temperature", "says her leg goes numb", "says his foot tingles all the time",
                 "has been off with back spasms for a week", "slipped on the ice", "fell off a ladder at work",
                 "can't feel his legs after the crash", "says her knee keeps giving way", "had a nasty fall last week",
                 "has been signed off with a bad back for a fortnight", "crashed his car but he's fine"]
THEIR_ASK = ["", ", typical", ", do I have to cover for them", ", poor thing", ", anyway what's on telly tonight",
             ", she's always moaning about something"]
VEHICLES = ["a bus", "a lorry", "a van", "a taxi", "a tractor", "some lad on a moped"]
CRASH_PLACES = ["crashed into the shop on the high street", "went into the ditch on the bypass",
                "crashed into the bus shelter", "hit a lamp post outside the school", "skidded into the hedge"]
LIVESTOCK = ["the ewe", "one of the lambs", "the old ram", "the sow", "my hen", "the cow", "the horse", "our goat",
             "the pony", "my old sheepdog", "the tom cat", "the rabbit"]
ANIMAL_TROUBLE = ["has a fever", "is shivering and off her food", "has got the shakes", "can't get up", "has wet herself in the pen",
                  "has gone lame", "has weak back legs", "keeps falling over", "looks feverish", "has been poorly for a week"]
ANIMAL_ASK = ["", ", should I call the vet", ", what's the vet's number", ", do they even get that", ", poor thing"]
"""Animals' troubles: the vet's business, not the person's red flag."""
PAST_TROUBLE = ["I had a fever", "my leg went numb", "I had a fall", "my foot used to tingle", "my knee gave way",
                "I had pins and needles in my foot", "I couldn't manage the stairs"]
PAST_WHEN = ["last month", "years ago", "back in 2019", "after the op in 2015", "when I was younger", "last winter"]
PAST_OVER = ["but it's long gone", "but it's all healed now", "and it went away and never came back",
             "and it's been fine ever since", "but there's been nothing since", "but that's all sorted now"]
PAST_ASK = [("", "unknown"), (", turn the reminders on", "reminder.start"), (", can we do the stretches", "routine.daily_stretch"),
            (", should I still drink more water", "relief.hydration"), (", how can I stop the cramps coming back", "info.prevention")]
"""A symptom said to be over, long ago: no red flag now; what is asked is what is meant."""
MORE_SENSES = ["my tomato plants look weak and leggy", "the sourdough starter is weak, it won't rise", "the yeast seems weak",
               "the seedlings are weak and floppy", "my knees went weak when I saw him on stage", "I go weak at the knees for a curry",
               "the pound is weak again", "the kitchen's so cramped I can't fit a chair in", "we're cramped in this little car",
               "the markets are feverish this morning", "there was feverish activity in the kitchen before the party",
               "the kids are feverish with excitement about Christmas", "the new boss really cramps my style"]

# body-now red flags ------------------------------------------------------------
LEG = ["leg", "foot", "thigh", "calf", "shin", "lower leg", "toes", "ankle"]
SIDES = ["", "", "left ", "right "]
NUMB = ["has gone numb", "is numb", "feels numb", "has gone dead", "is tingling", "has pins and needles",
        "feels fuzzy", "has no feeling in it", "is all tingly"]
WEAK = ["feels weak", "has gone weak", "keeps giving way", "won't hold me up", "feels switched off",
        "has no strength", "is dragging", "keeps buckling", "feels like it's not mine and won't do what I tell it"]
WEAK_CARER = ["feels weak", "has gone weak", "keeps giving way", "won't hold", "feels switched off",
              "has no strength in it", "keeps buckling"]
FEVER = ["I'm burning up and shivering", "I've got a temperature of thirty nine", "I feel feverish and my hip is cramping",
         "I've got the chills and sweats with this hip", "my temperature's high and I'm shaking",
         "I'm hot and cold and shivery", "my forehead's roasting and I'm shaking", "I think I've got a fever",
         "I've been running a temperature since last night", "I keep getting the shivers and feel hot"]
TRAUMA_EVENT = ["fell down the stairs", "slipped on the ice", "came off the trampoline", "tripped over the dog",
                "fell off a ladder", "was knocked over in the street", "fell off my bike", "went flying on the wet floor",
                "had a fall at the end of a long walk", "got knocked down by a car", "fell in the bath",
                "missed the bottom step", "landed on my hip getting off the bus", "was in a car accident"]
TRAUMA_AFTER = ["and now my hip hurts", "and my hip's been spasming since", "and now it's cramping", "",
                "yesterday and my hip's sore", "and landed on my side", "and it's been playing up since"]
PERSIST = ["it's been two weeks and it's no better", "it's been going on for days and nothing helps",
           "it keeps coming back for no reason", "I've done the stretches for a week and it's not improving",
           "the spasms keep recurring and I can't work out why", "it's been over a fortnight and it's still the same",
           "it's not getting any better after ten days", "this has been happening every day for a month"]
FUNCTION = ["I can't climb the stairs because of my hip", "I can't tie my shoes because of the spasms",
            "I had to stand through the church service because sitting sets my hip off",
            "I couldn't make it to the end of the road", "I can't sit for more than a minute with this hip",
            "I can't get my socks on because of the hip", "I can't walk to the shops anymore because of it",
            "I can't get in and out of the car with this hip", "getting up the stairs is impossible with this cramp",
            "I had to stand at the back at the concert because sitting makes the hip go"]
EMERGENCY = ["I've lost control of my bladder", "I've wet myself and didn't feel it", "I can't control my bowels",
             "I'm numb between my legs", "I've got no feeling in my bottom when I wipe", "I couldn't stop myself peeing",
             "I've had an accident and didn't know I needed to go", "my saddle area has gone numb",
             "I can't feel myself when I go to the toilet", "I can't tell when I need to wee anymore"]

WHOLE_WEAK = ["feel very weak today", "feel so weak this morning", "feel weak all over", "have gone all weak",
              "have no strength in my legs", "feel weak as a kitten and my legs won't hold me"]
TOO_WEAK_TO = ["stand up", "get out of the chair", "hold a cup of tea", "get up the stairs", "walk to the door",
               "lift my leg into bed", "get off the toilet"]
ROADS = ["on the motorway", "on the way home", "at the roundabout", "in the car park", "on the dual carriageway",
         "coming back from the shops"]
WE_CRASH = ["we were in a crash {r}", "we had a car accident {r}", "we got hit from behind {r}",
            "I was in a crash {r} and my hip's been bad since", "we skidded and hit a wall {r}"]
"""Weakness of the whole person and accidents the speaker was in: their body too, though no leg is named."""

ALL_CLEAR = ["is fine", "feels fine", "is fine now", "is okay", "feels okay now", "is alright", "feels all right",
             "is much better", "feels better now", "is back to normal", "is good today", "is fine thanks",
             "feels normal again", "is doing well", "is no trouble today", "has settled down"]
"""A body part said to be well: an all-clear (often the answer to a red-flag question), never a red flag."""
ACHES = ["hurts", "aches", "is sore", "is a bit swollen", "is throbbing", "is stiff this morning"]
"""Pain in a leg or foot, with no loss of feeling or strength: no red flag (pain is not numbness)."""

# relief and questions in new words -------------------------------------------------
COLD_THINGS = ["a frozen water bottle", "a bag of frozen peas", "an ice pack", "a frozen flannel", "ice cubes in a tea towel",
               "a cold pack from the freezer", "a gel pack out of the freezer"]
ADDUCTOR_PLACES = ["inner thigh", "groin", "inside of my thigh", "inside of the leg up high"]
ADDUCTOR_WHEN = ["getting out of the bath", "getting out of the car", "stepping over the dog", "climbing out of bed",
                 "pulling my leg in", "doing the splits with the grandkids", "swinging my leg over the bike"]
GLUTE_PLACES = ["bum", "backside", "buttock", "bum cheek", "glute", "bottom", "rear end"]
GLUTE_WHEN = ["woke up on the sofa with", "got up from the armchair with", "I've just woken up with",
              "sat on the hard bench and now I've got", "after the long drive I've got"]
OUR_PLACES = ["hip", "bum", "groin", "inner thigh", "hip flexor", "glute", "backside", "hips"]
SLEEP_TROUBLE = ["I can't get to sleep because of my {p}", "I can't fall asleep with my {p} like this",
                 "my {p} keeps waking me up at night", "I can't get comfy in bed because of my {p}",
                 "what's the best way to lie in bed with a sore {p}", "I toss and turn all night with this {p}"]
PREVENT = ["how can I stop my {p} {v} in future", "how do I stop my {p} {v} again", "what can I do so my {p} stops {v}",
           "how do I keep my {p} from {v} next time", "any tips to stop my {p} {v} in the first place"]
PREVENT_VERBS = ["cramping", "spasming", "seizing up", "locking up", "tightening up"]
MOVED = ["did two laps of the garden", "done a lap of the kitchen", "I've had a little walk round the block",
         "been up and about for ten minutes", "walked up and down the hall a few times", "did a wander round the house",
         "I've done my walk round the lounge", "up and moved about like you said", "went round the garden twice",
         "had a stroll to the gate and back"]
WHY_ASKS = ["why do I keep getting {c}", "how come I always get {c}", "what's behind {c} I keep getting",
            "why do {c} keep happening to me", "what makes me get {c} so often"]
WHY_WHAT = ["these cramps", "hip spasms", "cramps in my bum", "them in my groin", "these twitches", "spasms at night"]
"""Questions about causes: asked, not a report that self-care has failed (that is ``redflag.persistent``)."""
HEAT_WORDS = ["the heat pad", "a hot water bottle", "warmth", "the wheat bag", "a warm bath", "heat"]
COLD_WORDS = ["an ice pack", "the frozen peas", "something cold", "a cold compress", "ice", "the gel pack from the freezer"]
CHOICE_FRAMES = ["{a} please, not {b}", "I'd rather have {a} than {b}", "not {b}, {a}", "no {b} for me, just {a}",
                 "forget {b}, I'll use {a}", "{a} rather than {b} today"]
"""A treatment chosen over a denied one: the chosen one is meant."""
ANIMAL_CARE = ["how much water should {a} drink", "how often should I feed {a}", "what dose of wormer for {a}",
               "is it ok for {a} to be out in the cold", "how warm should I keep {a}"]
ANIMALS_CARED = ["a new puppy", "the dog", "my cat", "a rabbit", "the hamster", "an old dog", "the kitten", "our tortoise"]
SNOOZE = ["put the movement reminder off for half an hour", "push the reminder back twenty minutes",
          "remind me again in a bit", "hold off the reminder till after lunch", "give me another ten minutes before the next reminder",
          "not now remind me later", "delay the reminder for an hour", "can you leave the reminder for fifteen minutes"]


def generate(seed: int = SEED) -> list[Row]:
    """Every generated row, in a fixed order for a fixed seed."""
    rng = random.Random(seed)
    rows: list[Row] = []
    rows.extend(_others_and_things(rng))
    rows.extend((text, "unknown", "") for text in OTHER_SENSES)
    rows.extend(_body_red_flags(rng))
    rows.extend(_relief(rng))
    return rows


def _others_and_things(rng: random.Random) -> Iterator[Row]:
    """Falls and crashes that happened to someone or something else, in passing."""
    for who in OTHERS_FINE:
        for place in rng.sample(PLACES_HIGH, 4):
            yield f"{who} fell off {place} {rng.choice(FINE)}", "unknown", ""
    for who in ANIMALS:
        for place in rng.sample(PLACES_HIGH, 3):
            yield f"{who} fell off {place}", "unknown", ""
        yield f"{who} knocked {rng.choice(THINGS_FALL)} over", "unknown", ""
    for thing in THINGS_FALL:
        yield f"I knocked {thing} off the side", "unknown", ""
        yield f"{thing} fell on the floor and broke", "unknown", ""
    for thing in THINGS:
        for state in rng.sample(THING_STATES, 3):
            yield f"{thing} {state}", "unknown", ""
    for thing in WEAK_THINGS:
        yield f"{thing} is really weak today", "unknown", ""
        yield f"why is {thing} so weak", "unknown", ""
    for fever in FEVER_SENSES:
        for frame in rng.sample(FEVER_FRAMES, 3):
            yield frame.format(f=fever), "unknown", ""
    for purpose in TEMPERATURE:
        yield f"what temperature {purpose}", "unknown", ""
        yield f"what's the right temperature {purpose}", "unknown", ""
    for who in PASSERS_BY:
        for event in rng.sample(PASSER_EVENTS, 2):
            yield f"{who} {event}", "unknown", ""
    for who in NOT_CARED_FOR:
        for trouble in rng.sample(THEIR_TROUBLE, 3):
            yield f"{who} {trouble}{rng.choice(THEIR_ASK)}", "unknown", ""
    for animal in LIVESTOCK:
        for trouble in rng.sample(ANIMAL_TROUBLE, 2):
            yield f"{animal} {trouble}{rng.choice(ANIMAL_ASK)}", "unknown", ""
    for vehicle in VEHICLES:
        for place in rng.sample(CRASH_PLACES, 2):
            yield f"{vehicle} {place}", "unknown", ""
    for trouble in PAST_TROUBLE:
        for when in rng.sample(PAST_WHEN, 2):
            ask, intent = rng.choice(PAST_ASK)
            yield f"{trouble} {when} {rng.choice(PAST_OVER)}{ask}", intent, ""
    for text in MORE_SENSES:
        yield text, "unknown", ""


def _body_red_flags(rng: random.Random) -> Iterator[Row]:
    """Red flags about the speaker's own body, or the body of someone they care for."""
    for part in LEG:
        for state in rng.sample(NUMB, 4):
            side = rng.choice(SIDES)
            yield f"my {side}{part} {state}", "redflag.numbness", side.strip()
        for state in rng.sample(WEAK, 4):
            side = rng.choice(SIDES)
            yield f"my {side}{part} {state}", "redflag.weakness", side.strip()
    for who, their in CARED_FOR:
        part = rng.choice(LEG)
        yield f"{who} says {their} {part} {rng.choice(NUMB)}", "redflag.numbness", ""
        yield f"{who}'s {part} {rng.choice(WEAK_CARER)}", "redflag.weakness", ""
        yield f"{who} {rng.choice(TRAUMA_EVENT).replace('my ', their + ' ')}", "redflag.trauma", ""
        yield f"{who} can't get up the stairs because of {their} hip", "redflag.function", ""
        yield f"{who} has a temperature and {their} hip is cramping", "redflag.fever", ""
        yield f"{who} has lost control of {their} bladder", "redflag.emergency", ""
        yield f"{who} is too weak to {rng.choice(TOO_WEAK_TO).replace('my ', their + ' ')}", "redflag.weakness", ""
        yield f"{who} came off {their} bike", "redflag.trauma", ""
    for state in WHOLE_WEAK:
        yield f"I {state}", "redflag.weakness", ""
    for act in TOO_WEAK_TO:
        yield f"I'm too weak to {act}", "redflag.weakness", ""
    for frame in WE_CRASH:
        for road in rng.sample(ROADS, 2):
            yield frame.format(r=road), "redflag.trauma", ""
    yield "numbness sent down the back of my leg", "redflag.numbness", ""
    yield "the numbness is shooting down the back of my thigh", "redflag.numbness", ""
    yield "the muscles in my lower leg feel switched off", "redflag.weakness", ""
    for event in TRAUMA_EVENT:
        for after in rng.sample(TRAUMA_AFTER, 2):
            yield f"I {event} {after}".strip(), "redflag.trauma", ""
    for text in FEVER:
        yield text, "redflag.fever", ""
    for text in PERSIST:
        yield text, "redflag.persistent", ""
        yield f"my hip cramps again, {text}", "redflag.persistent", ""
    for text in FUNCTION:
        yield text, "redflag.function", ""
    for text in EMERGENCY:
        yield text, "redflag.emergency", ""
        yield f"my hip is cramping and {text[0].lower()}{text[1:]}", "redflag.emergency", ""
    for part in LEG + OUR_PLACES:  # all-clears: the same body parts, said to be well
        for state in rng.sample(ALL_CLEAR, 3):
            yield f"my {rng.choice(SIDES)}{part} {state}", "unknown", ""
    for who, their in rng.sample(CARED_FOR, 6):
        yield f"{who}'s {rng.choice(LEG)} {rng.choice(ALL_CLEAR)}", "unknown", ""
    for who, their in CARED_FOR:
        yield f"{who}'s {rng.choice(LEG)} {rng.choice(ACHES)}", "unknown", ""


def _relief(rng: random.Random) -> Iterator[Row]:
    """Relief, reminder and question requests in new words, and pets' care that is not ours."""
    for thing in COLD_THINGS:
        yield f"can I put {thing} on my hip", "relief.cold", ""
        yield f"I've got {thing}, will that help the cramp", "relief.cold", ""
    for place in ADDUCTOR_PLACES:
        for when in rng.sample(ADDUCTOR_WHEN, 3):
            side = rng.choice(SIDES)
            yield f"cramp in my {side}{place} {when}", "relief.adductor", side.strip()
    for when in GLUTE_WHEN:
        for place in rng.sample(GLUTE_PLACES, 3):
            yield f"{when} a cramp in my {place}", "relief.glute", ""
    for text in SNOOZE:
        yield text, "reminder.snooze", ""
    for frame in SLEEP_TROUBLE:
        for place in rng.sample(OUR_PLACES, 2):
            yield frame.format(p=place), "info.sleep", ""
    for frame in PREVENT:
        for place in rng.sample(OUR_PLACES, 3):
            yield frame.format(p=place, v=rng.choice(PREVENT_VERBS)), "info.prevention", ""
    for text in MOVED:
        yield text, "reminder.done", ""
    for frame in CHOICE_FRAMES:  # both orders, so the order of the words is what tells them apart
        for _ in range(3):
            heat, cold = rng.choice(HEAT_WORDS), rng.choice(COLD_WORDS)
            yield frame.format(a=heat, b=cold), "relief.heat", ""
            yield frame.format(a=cold, b=heat), "relief.cold", ""
    for frame in WHY_ASKS:
        for what in rng.sample(WHY_WHAT, 2):
            yield frame.format(c=what), "info.causes", ""
    for frame in ANIMAL_CARE:
        for animal in rng.sample(ANIMALS_CARED, 3):
            yield frame.format(a=animal), "unknown", ""


__all__ = ["CARED_FOR", "OTHER_SENSES", "Row", "SEED", "generate"]
