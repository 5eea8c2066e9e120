"""The one table of Chinese cue words: units, classifiers, periods, plans, titles, layout marks.

Everything here is general knowledge of how Chinese municipal news and questions about it are
written; nothing names one question or one document. Patterns that combine these cues into
figures, years and dates live in ``patterns.py``.
"""
from __future__ import annotations

import re

# --- time ----------------------------------------------------------------------------------
FIVE_YEAR_PLANS = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
RELATIVE_YEARS = {"前年": -2, "去年": -1, "上年": -1, "今年": 0, "本年": 0, "明年": 1, "来年": 1}
# A relative year said as a time (去年的GDP), not as the base of a comparison (比上年增长, 较去年
#提高: the figure asked is the change, in the year the question names).
RELATIVE_YEAR = re.compile(rf"(?<![比较])(?:{'|'.join(RELATIVE_YEARS)})")
PERIODS = ("一季度", "二季度", "三季度", "四季度", "前三季度", "上半年", "下半年", "全年", "年底", "年末")
# A quarter with its ordinal (第四季度, 第4季度) is the quarter the reports write without one (四季度).
ORDINAL_QUARTER = re.compile(r"第\s*([一二三四1-4])\s*季度")
# A figure for less than a year (今年以来/截至目前: the year so far, in a report dated before its end).
PART_YEAR_PERIODS = ("前三季度", "上半年", "下半年", "一季度", "今年以来", "截至目前")
FULL_YEAR = "全年"
# A month range inside a year (1至7月, 1-10月): a part-year period too.
MONTH_RANGE = r"\d{1,2}\s*(?:至|到|-|—|～|~)\s*\d{1,2}\s*月(?:份)?"
# Points of a year a question may name instead of a period (年初计划…): a time of their own, as
# 年底 and 年末 (``PERIODS``) are.
YEAR_POINTS = r"年初|年中"

# --- questions asked in English ------------------------------------------------------------
# English question words, periods, units and measures read as the Chinese cue they stand for, so
# a question in English is analysed like its Chinese counterpart (the metric words themselves,
# GDP → 地区生产总值, are in data/synonyms.json). Longest phrases first; whole words only.
ENGLISH_CUES = (
    ("how many people|number of people|how many persons", "多少人"),
    ("how many tourists|how many visitors|how many visits|tourist visits", "多少人次"),
    ("how many mu|how many acres", "多少亩"),
    ("acreage", "面积"),  # how much … acreage: an area
    ("how many kilometers|how many kilometres|how many km|how long", "多少公里"),
    ("how many tons|how many tonnes", "多少吨"),
    ("how many jin", "多少斤"),
    ("how many consecutive years|how many years in a row|how many straight years", "连续几年"),
    ("how many years|for how many years", "几年"),
    ("how many times", "多少倍"),
    ("how many|number of", "多少"),  # no classifier in English: the counted noun decides the unit (ENGLISH_COUNT)
    ("how much money|how much funding|how much investment", "多少元"),
    ("how much|what amount|what was the total|what is the total|what were", "多少"),  # what was/is: ENGLISH_WHAT
    ("by what percentage|what percentage|what percent|what share|what proportion|what ratio|"
     "by how much|what rate", "百分之多少"),
    ("percentage points|percentage point", "百分点"),
    ("rate|rates", "率"),  # a rate (coverage rate, resolution rate) is a share: 覆盖率, 化解率
    ("first three quarters|january to september|january-september", "前三季度"),
    ("first half|first six months|h1", "上半年"),
    ("second half", "下半年"),
    ("first quarter|q1", "一季度"),
    ("second quarter|q2", "二季度"),
    ("third quarter|q3", "三季度"),
    ("fourth quarter|final quarter|q4", "四季度"),
    ("full year|whole year|annual|for the year", "全年"),
    ("end of the year|year-end|year end", "年底"),
    ("last year|previous year", "去年"),
    ("this year|current year", "今年"),
    ("the year before last", "前年"),
    ("next year", "明年"),
    ("14th five-year plan", "十四五"),
    ("15th five-year plan", "十五五"),
    ("when was|when were|when did|when is|when will|what date|on what day", "什么时候"),
    ("who is|who was|who were|who gave|who delivered|who made|who presided|who chaired|who", "谁"),
    ("what are|what were the|name the|list the", "哪些"),  # "which" is read by ENGLISH_WHICH
    ("what level|which level", "什么级别"),
    ("rank|ranked|ranking|place in the province|position", "排名"),
    ("target|goal", "目标"),
    # verbs that say a plan is asked about (PLAN_MODAL), not a concept a passage must name
    ("aim|aiming to|aims to", "力争"),
    ("expected|projected", "预期"),
    ("plan|plans|planned|planning|intend|intends|will|want|wants|wanted|hope|hopes|hoped", "计划"),
    ("had to|has to|have to|must|is required to|was required to|were required to", "要"),  # a requirement is a target
    ("grow|grew|growth|increase|increased|rise|rose", "增长"),
    ("fall|fell|drop|dropped|decline|declined|decrease|decreased", "下降"),
    ("yuan|rmb", "元"),
    ("billion yuan", "亿元"),
    ("percent|per cent", "%"),
)
# English measure words after a number, as the classifier Chinese writes after it (3,000 tonnes →
# 3000吨, a 10,000-head farm → 万头, 580 households → 580户).
ENGLISH_MEASURES = (
    ("head", "头"),
    ("mu", "亩"),
    ("tonnes|tonne|tons|ton", "吨"),
    ("kilometres|kilometre|kilometers|kilometer|km", "公里"),
    ("households|household", "户"),
    ("hectares|hectare", "公顷"),
)
# English ordinals of sessions and terms, in the corpus's form: 8th plenary session → 八次全会,
# the 8th (municipal) party committee → 八届.
ENGLISH_ORDINALS = (
    (re.compile(r"(\d{1,2})(?:st|nd|rd|th)\s+plenary\s+(?:session|meeting)"), "次全会"),
    (re.compile(r"(\d{1,2})(?:st|nd|rd|th)(?=\s+(?:\w+\s+){0,2}(?:party\s+)?committee)"), "届"),
    (re.compile(r"(\d{1,2})(?:st|nd|rd|th)(?=\s+(?:people's\s+)?congress)"), "届"),
)
# "the 11th plenary session of the 8th committee" glosses to 十一次全会…八届; Chinese puts the term
# first (八届十一次全会): the session is moved after it.
ENGLISH_SESSION_THEN_TERM = re.compile(r"([一二三四五六七八九十]+次全会)(.*?)([一二三四五六七八九十]+届)")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
# "which" asks for one thing (哪个) or several (哪些) by the number of its noun: the words after it
# up to the verb are read, and a plural noun (projects, cities) or a number word (which two …)
# makes it several. The verb ends the noun phrase: an auxiliary, or a past-tense word.
ENGLISH_WHICH = re.compile(r"\bwhich\b(?!\s+level)((?:\s+[a-z'\-]+){0,6})")
# "what was/is …" asks a figure when its noun is a quantity (What was Siping's GDP, what is the
# capacity of …), else a thing (what was the slogan of …): the words after it up to a verb or a
# preposition are read.
ENGLISH_WHAT = re.compile(r"\bwhat (?:was|is)\b((?:\s+[a-z0-9'&\-]+){0,6})")
# "what <noun phrase> <verb> …" otherwise (what production base does, what kind of vets did):
# the noun phrase is read like "what was/is"'s, and "kind of" names no kind.
ENGLISH_WHAT_NOUN = re.compile(r"\bwhat\s+(?:(?:kinds?|sorts?|types?)\s+of\s+)?((?:[a-z'\-]+\s*){1,6})")
ENGLISH_QUANTITY_NOUNS = frozenset("""
total number amount value rate ratio share proportion percentage growth increase decrease output
production yield investment gdp capacity income revenue volume size area length population balance
debt intensity price cost budget funding spending expenditure sales exports imports turnover
consumption count speed figure sum
""".split())
ENGLISH_PREPOSITIONS = frozenset("""of for in at on by from to with under during over than worth about concerning
regarding involving including like between among across through into within without along around per via
toward towards against amid""".split())
ENGLISH_VERB_AFTER_NOUN = re.compile(r"^(?:did|do|does|was|were|is|are|has|have|had|will|would|can|could|"
                                     r"should|may|might|must|[a-z\-]+ed)$")
# A word in -ing before a determiner opens a participle clause (pipeline serving the central
# cities, parks attracting more visitors): the noun phrase before it has ended.
ENGLISH_PARTICIPLE_CLAUSE = re.compile(r"^[a-z\-]{2,}ing\s+(?:the|a|an|its|their|his|her|our|this|these|those|"
                                       r"more|new|local)\b")
# A count after "which"/"what" (which two hospitals, what four-step approach) is the number of items
# the answer lists, as 哪两 says it in Chinese (``COUNT_IN_QUESTION``).
ENGLISH_COUNTS = {w: n for n, w in enumerate("two three four five six seven eight nine ten".split(), start=2)}
ENGLISH_NUMBER_WORDS = frozenset([*ENGLISH_COUNTS, "several", "both"])
ENGLISH_PLURAL = re.compile(r"^[a-z\-]{2,}(?<![siu'])s$")  # projects, cities; not business, status, this
# "how many …" whose noun names no unit (rivers, projects) asks for a count of things.
ENGLISH_COUNT = re.compile(r"\b(?:how many|number of)\b", re.I)
# English words that name no concept of a question (read past when glossing through the dictionary).
ENGLISH_FUNCTION_WORDS = frozenset("""
a about above after again against all also am an and any are as at be been before being below between
both but by can could did do does doing done down during each few for from further had has have having
he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
once only or other our out over own same she should so some such than that the their them then there
these they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours get got make made put set take give given kind sort way
many much number amount total city municipal s
""".split())

# --- comparisons asked in English ------------------------------------------------------------
# English joins what it compares with "and" (or versus, compared with): times (in 2022 and 2024,
# the first half of 2023 versus 2024), questions (how many cases …, and how many people …), or
# things asked "each" or "respectively" of. The gloss keeps none of these words, so an English
# comparison is cut into its parts in English (``parts.english_parts``).
ENGLISH_WH = r"(?:how|what|which|who|when|where)\b"
ENGLISH_COMPARED = r"(?:and|versus|vs\.?|compared\s+(?:with|to)|against)"
ENGLISH_TIME_PREPOSITION = r"(?:in|for|during|by|at|of|from)"
ENGLISH_HEDGE = r"(?:about|roughly|approximately|around|nearly|exactly)"  # and about how many …
ENGLISH_EACH = re.compile(r"\s*,?\s*\b(?:of\s+each|for\s+each|each|respectively|both)\b", re.I)
# Words that say whether a figure is a target or a result (a growth forecast, the growth recorded):
# what one side of "How did A compare with B?" is, not what B shares with A.
ENGLISH_PLAN_OR_RESULT = re.compile(r"(?:forecast|forecasts|target|targets|goal|goals|plan|plans|planned|expected|"
                                    r"projected|aimed|recorded|actual|actually|achieved|reached|realized|realised)",
                                    re.I)
# Periods before a year (the first half of 2023, mid-2023, the whole of 2025, year-end 2024): the
# cue phrases of PERIODS above, and where in a year a figure stands.
_ENGLISH_PERIOD_PHRASES = tuple(p for phrases, chinese in ENGLISH_CUES if chinese in PERIODS for p in phrases.split("|"))
ENGLISH_PERIOD_BEFORE_YEAR = "|".join(sorted((*_ENGLISH_PERIOD_PHRASES, "whole", "end", "start", "beginning", "middle"),
                                             key=len, reverse=True))

# --- words and their roles -----------------------------------------------------------------
# Dummy verbs (形式动词, 吕叔湘《现代汉语八百词》, 朱德熙《语法讲义》): they carry no meaning of their
# own and take a verb as their object, which is then a noun (开展巡察, 进行调研, 给予补贴, 作出部署):
# what the question is about, not how it asks.
DUMMY_VERBS = frozenset("进行 加以 给予 给以 予以 作 做 作出 做出 开展 从事 搞".split())

# --- comparisons and multi-part questions --------------------------------------------------
_AND = "以及|和|与|及"
_JOINING = rf"{_AND}|跟|同|、"
JOINING = rf"(?:{_JOINING})"  # between things one clause names together (经济领域改革和社会领域改革)
# In a text, a word that joins two things each with its figure (年产6万吨三氯氧磷及年产1.5万吨磷酸三乙酯,
# 7所社区食堂和6所农村养老大院) ends the first one's phrase, as 、 would.
AND_BETWEEN_FIGURES = re.compile(_AND)
CONJUNCTIONS = rf"(?:{_JOINING}|，|,)"  # between the things a question compares
# In a text, things joined before 分别 pair in order with what follows it (合作社、家庭农场分别达到
# 7297个、5403个: 5403个 is the family farms').
RESPECTIVELY = re.compile(r"分别")
# between the times a question compares, also the words of comparing (2022年对比2024年, 2023年比2022年)
TIMES_COMPARED = rf"(?:{CONJUNCTIONS}|对比|相比|比|较|vs\.?|VS)"
# Where a Chinese noun phrase begins at the latest, reading back from its head: after a year, a
# preposition or a particle (2023年政府工作报告对|市综合养老示范中心).
PHRASE_BOUNDARY = re.compile(r"年|[对把在向给为与和及是的了将被从于，,：:；;？?！!]")
EACH = re.compile(r"分别|各自|各")  # 分别是多少, 各是多少, 各多少: one answer per thing named
# A span of months short of the year: 1—10月, 1至9月, 前10个月, 截至6月末.
PART_YEAR_SPAN = re.compile(r"(?<!\d)1\s*[—\-–~至到]\s*(?:[1-9]|1[01])\s*月|前(?:[一二三四五六七八九十]|十一|\d{1,2})个月|截至\s*\d{1,2}\s*月")

# --- plans and targets vs results ----------------------------------------------------------
# A question asks for a plan or target when it uses one of these words.
PLAN_IN_QUESTION = re.compile(r"目标|计划|力争|预期|打算|(?<![主重需只想紧必])要|规划|将|部署|安排|任务|准备|提出"
                              # 想 wanting (想把…稳在, 想让, 想要), not in 思想 理想 设想 想法 想起
                              r"|(?<![思理设构感联猜幻梦回着预妄冥])想(?![法象念起到])")
# Of those, the words that only say a plan is asked about (四平计划建立什么联盟, is Siping planning
# to …: 计划), naming no thing an answer must mention: the question's verbs, not its concepts.
PLAN_MODAL = frozenset({"计划", "打算", "准备", "力争", "预期"})
# What a result is called, as those words name a target (2023年计划和2024年实际), or an estimate
# of it made before the year's figures are in (2022全年预计): a question's verb too, no concept a
# passage must have (results are stated without it).
RESULT_MODAL = frozenset({"实际", "预计"})
# In the text, strong cues mark a target on their own; weak ones (要…) only tilt, since 要 and
# 计划 also occur in reports of what was done.
PLAN_STRONG = re.compile(r"力争|预期|目标是|确保|争取|计划(?:开|新|实施|建设|储备|投资)|谋划|拟|年度投资")
PLAN_SECTION = re.compile(r"目标|部署|计划|安排|谋划")
PLAN_WEAK = re.compile(r"目标|(?<![需主重只想])要(?=[\u4e00-\u9fff])|将要|全年计划")

# --- how a question asks for a quantity ----------------------------------------------------
# 几 asks a number, but not after a demonstrative (这几年, 那几个: "these (few) years/ones") nor in
# 几乎 (almost).
_JI = r"(?<![这那])几(?!乎)"
ASKS_HOW_MANY = re.compile(_JI)
_Q = rf"(?:多少|{_JI})"
# 额, an amount of money (金额, 余额, 销售额, 消费额, 交易额, 额度), not a quota or share (名额, 份额,
# 配额, 超额) nor 额外 (extra).
_AMOUNT = r"(?<![名份配超])额(?!外)"
# Metrics measured in money: a how-much question about one asks for an amount (TOPIC_UNIT_CUES), and
# amounts in 元 fit it (MONEY_WORDS).
_MONEY_TOPIC = rf"资金|投资|{_AMOUNT}|收入|产值|总值|价值|营收|贷款|补贴|税收|GDP|经济总量"
# Interrogatives: what a question asks with, never a mistyped term (第几 is not 地级).
# Question words that ask for something (what, how much, which), and the sentence-final particles
# that make a question of a statement (出过大事故吗, 去年呢).
WH_WORDS = re.compile(r"多少|几|什么|啥|哪|谁|怎|咋|何")
INTERROGATIVES = re.compile(rf"{WH_WORDS.pattern}|吗|呢")
# A question word glued to what it asks about (哪几种, 几项, 什么样, 啥时候, 哪三管): the word asks, the
# rest, when it is a word of its own (三管, 方面), is what the question is about.
QUESTION_WORD_PREFIX = re.compile(r"^(?:哪几|哪些|哪一|哪|几|什么|啥|怎么|怎|咋|多少)")
QUESTION_CLAUSE_BREAK = re.compile(r"[，,；;？?]")  # between the clauses of a question (…多少？2023年…多少)
# A clause that only links two questions (…目标是多少？相比之下，2024年…增长了多少): no question itself.
CONNECTIVE_CLAUSE = re.compile(r"相比之下|相比而言|对比之下|比较而言|与此同时|同时|此外|另外|那么|而且|并且")
# Unit a how-much question asks for, by its words (多少人 → people); first match wins: an
# explicit unit, then ranks and rates, then the meaning of the metric.
# ``ASKED_UNIT_CUES`` name the quantity the question asks (多少公里, 第几, 几连);
# ``TOPIC_UNIT_CUES`` read it from the metric's topic (投资 → money), which an English "how many"
# overrides: it asks a count of the noun it names (how many investment projects), unless the
# topic is itself counted (``COUNTED_UNITS``: how many tourists → visits).
ASKED_UNIT_CUES = (
    ("streak", re.compile(r"几连|连丰|第几个丰收")),
    ("points", re.compile(r"[高低快慢多少]了?多少个?百分点|比.{1,8}[高低快慢]多少")),
    ("duration", re.compile(rf"{_Q}年|多长时间|多久|{_Q}个月|{_Q}天|{_Q}小时|{_Q}分钟")),  # 连续几年排名…: the years
    ("rank", re.compile(r"第几|排第|排名|名次|位列|排在|排老几")),  # 排老几: colloquial 排第几
    ("level", re.compile(r"几级|什么级别|哪一?级")),
    ("visits", re.compile(rf"{_Q}[万]?人次")),
    ("money", re.compile(rf"{_Q}钱|{_Q}[万亿]?元")),
    ("people", re.compile(rf"{_Q}[万]?(?:人|名)(?!次)|{_Q}个人")),
    ("area", re.compile(rf"{_Q}[万]?亩")),
    ("grain", re.compile(rf"{_Q}[万亿]?(?:斤|吨)")),
    ("power", re.compile(rf"{_Q}[万亿]?(?:千瓦|兆瓦)")),
    ("length", re.compile(rf"{_Q}公里|多长(?!时间)")),
    ("flow", re.compile(r"流量|立方米")),
    ("count", re.compile(rf"{_Q}[个项件座条家户所次场套笔宗头只辆处批起]|(?<![这那哪每某一])个数")),  # 那个数字 is 那个 + 数字
)
TOPIC_UNIT_CUES = (
    # 涨: colloquial 增长; 强度: a ratio (研发投入强度); 占多少 without a unit word: a share of the whole
    ("percent", re.compile(r"增长|增速|增幅|涨幅|涨了?多少|比例|比重|覆盖率|[^产]率|百分之|降低|压缩|下降|倍|强度|(?<!抢)占[到了]?多少")),
    ("visits", re.compile(r"游客|接待")),
    ("people", re.compile(r"人数")),
    ("money", re.compile(_MONEY_TOPIC, re.I)),
    ("people", re.compile(r"就业")),
    ("area", re.compile(r"面积|农田|耕作|耕地")),
    ("grain", re.compile(r"粮食产量|产量")),
    ("power", re.compile(r"装机|发电能力")),
)
UNIT_CUES = ASKED_UNIT_CUES + TOPIC_UNIT_CUES
COUNTED_UNITS = frozenset({"count", "people", "visits"})  # what "how many" asks without a unit word
# Words that make a question about money (so amounts in 元 fit it).
MONEY_WORDS = re.compile(rf"钱|元|{_MONEY_TOPIC}", re.I)
# The classifier a count question uses (多少个项目 → 个).
CLASSIFIER_IN_QUESTION = re.compile(r"(?:多少|几)([个项件座条家户所次场套笔宗头只辆处批起名亩斤吨人棒棵株栋盏艘架])")

# Unit of each kind of figure in the text.
FIGURE_UNITS = {
    "percent": r"(?:%|‰|倍|个百分点)",
    "points": r"(?:个百分点)",
    "money": r"(?:[万亿千百]*(?:元|美元))",
    "people": r"(?:[万千]?(?:人|名)(?!次))",
    "visits": r"(?:[万亿]?人次)",
    "area": r"(?:[万]?亩|平方公里|平方米)",
    "grain": r"(?:[万亿]?(?:斤|公斤|吨))",
    "power": r"(?:[万亿]?千瓦时?|兆瓦)",  # generating capacity (千瓦), electricity (千瓦时)
    "length": r"(?:公里|千米|米)",
    "flow": r"(?:立方米每秒|立方米)",
    "duration": r"(?:年|个月|天|小时|分钟|日)",
    # 棒 ears of corn, 棵/株 trees and plants, 栋 buildings, 盏 lamps, 艘 ships, 架 aircraft
    "count": r"(?:[万千]?(?:台套|个|项|件|座|条|家|户|所|次|场|套|台|笔|宗|头|只|辆|处|批|类|村|期|起|名|棒|棵|株|栋|盏|艘|架))",
}

# A second classifier in brackets belongs to the figure: 8000万头（只）, 120台（套）, 61场（次）.
CLASSIFIER_ALTERNATIVE = r"(?:（[只头个台套件辆户家名人座次场]）)?"

# --- question types ------------------------------------------------------------------------
# Question type → cue pattern; the first that matches wins.
_WHICH_ONE = r"哪[个里座家所条种]"  # 哪个, 哪家, 哪座…: one thing asked for
QUESTION_TYPES = (
    ("when", re.compile(r"什么时候|哪天|哪一天|何时|几月几[日号]|日期|哪一?年|什么时间")),
    ("who", re.compile(r"谁|哪几?位|什么人|姓名|名字|记者")),
    ("list", re.compile(r"哪些|哪几|包括|有什么|都有|分别|几大|几个方面|哪[两三四五六七八九十]+[\u4e00-\u9fff]")),
    # 哪个/哪家… asks for a thing even where the metric is named (哪个品牌排名, 哪家企业产值最高),
    # unless it asks for the figure too (多少, 第几)
    ("which", re.compile(rf"^(?!.*(?:多少|{_JI})).*" + _WHICH_ONE)),
    ("how_much", re.compile(rf"多少|{_JI}[个座条家户项次万亿千百]?|个数|多大|多高|多快|比例|比重|增速|增长率|增幅|同比|产量|总值|产值|"
                            r"金额|数量|人数|规模|百分之|排名|第几|老几|收入|面积|总额|率$")),
    ("which", re.compile(_WHICH_ONE + r"|什么[称号奖荣]|获评|获得了?什么|何种|是哪")),
    ("plan", re.compile(r"怎么[做办干]|如何|措施|举措|计划|打算|要做|部署|重点|目标|思路")),
)

# --- people --------------------------------------------------------------------------------
TITLES = r"(?:市委书记|书记|市长|副市长|主任|局长|部长|记者|通讯员|主席|总经理|董事长|撰稿[:：]?|执笔[:：]?)"
# Bodies whose officers share a title with the Party committee's (纪委书记 is not 市委书记).
ORGANS = r"(?:纪委监委|纪委|监委|政协|人大常委会|人大|组织部|宣传部|统战部|政法委|团市委|妇联|总工会|检察院|法院)"
NAME_END = r"(?=受|代表|作|表示|主持|指出|强调|说|在|，|、|）|\)|\s|$)"

# --- lists ---------------------------------------------------------------------------------
# A session or edition the question names (八届七次全会, 第四届玉米节): a document that never names
# it reports another one.
NAMED_SESSION = re.compile(r"[一二三四五六七八九十\d]+届[一二三四五六七八九十\d]+次|第[一二三四五六七八九十\d]+届")
CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十")} | {"两": 2}
# The item of an enumeration a question asks for (第二个问题, colloquial 头一个): see ENUMERATION.
ORDINAL_IN_QUESTION = re.compile(r"第([一二三四五六七八九十]|\d{1,2})[个项条点方]|头(一)[个项条点]")
COUNT_IN_QUESTION = re.compile(r"([一二三四五六七八九十两]|\d+)[个大项座条种位方]|哪([两二三四五六七八九十])")  # 哪四极: 哪 counts
# A count of things of one kind closing a list (…三大产业链优势地位, 八个重点产业): see spans.lists.names_kind.
COUNTED_KIND = r"(?:[一二三四五六七八九十两]|\d{1,2})[大个项类种条座家]"
LIST_HEAD = (  # the kind of thing a list question asks for (哪几座城 → 城)
    re.compile(r"哪(?:几|些|[两三四五六七八九十])+[个座项条种大位家所]?([\u4e00-\u9fff]{1,10}?)(?:[？?。，]|$|分别|是|有|包括)"),
    re.compile(r"([\u4e00-\u9fff]{1,10}?)(?:都|分别)?(?:是|有|包括)(?:哪些|哪几|什么|哪[两三四五六七八九十]+)"),
)
CLASSIFIER_ONLY = re.compile(r"[个座项条种大位家所]")  # a list head that is only the count's classifier
# Kinds a list's items are of by their role, which the items do not name as 城 or 产业链 end the
# names of cities and chains (哪几项要求 → 要高质高效推进就业工作。要…): a list that does not name
# them is no list of something else.
# 项目 too: a project is named for what it builds (雪亮工程, 四杨公路改建工程), rarely as a 项目.
ABSTRACT_KIND = re.compile(r"(?:要求|方面|任务|措施|举措|内容|工作|做法|路径|途径|项目)$")
LIST_LEADING_VERB = re.compile(r"^(?:推动|建设|做大做强|做强|做大|做优|打造|发展|实施|推进|培育|聚焦|包括|围绕|建成|形成|加快|紧扣|壮大|提升|夯实|深耕"
                               r"|落实|用好|抓好|打好|做好"
                               r"|严格|全面|深入|大力|持续|积极|着力)")  # and the adverbs before them
DESCRIPTIVE = re.compile(r"[的了最很更着过得]")  # items of a description, not names of things
# A clause that announces what follows (…存在不少老问题：…, …总体工作思路，即：…): the answer is after it.
ANNOUNCES = re.compile(r"[，,]?\s*(?:即|就是|包括|分别是|主要是|具体是)?\s*[：:]")
# Paired conjunctions (关联词): a clause that opens with the first (既要有…的先手) and the next one that
# opens with the second (也要有…的高招) say one thing between them, so a span takes both. (Matched at
# a clause's start: ``pattern.match(sentence, start)``.)
CORRELATIVE_FIRST = re.compile(r"\s*(?:既(?!定|往|然)|不仅|不但|不只)")
CORRELATIVE_SECOND = re.compile(r"\s*(?:也|又|而且|还|更)")
# Clauses in parallel (排比: 得益于…的科学指引，得益于…的坚强领导，得益于…的不懈奋斗): adjacent clauses
# of a sentence that open with the same word of two characters or more say one thing between them,
# as paired conjunctions do. The word may follow a modifier of the first clause (根本得益于…，得益于…):
# it is looked for within this many characters of that clause's start.
PARALLEL_OPENING = 2
PARALLEL_LEAD = 2
# A clause that only closes an enumeration (…，能力素质与新时代要求还有差距，等等。) says nothing
# of its own: it stands for the clauses before it in its sentence.
ENUMERATION_CLOSER = re.compile(r"\s*等等\s*[。；;！!]?\s*")
# A condition and what it brings (唯有笃行不怠、躬身实干，方能走好新时代赶考之路; 只要…，就一定能…):
# a question that asks before the consequence (怎样才能…, 唯有怎样才能…, 只要做到什么，就一定能…)
# asks the condition, which is said in the clauses before it, from the one that opens with the
# condition's word if the sentence has one. (Matched at a clause's start.)
CONDITION = re.compile(r"\s*(?:只有|唯有|只要)")
CONSEQUENCE = re.compile(r"\s*(?:才能|方能|才会|才可|就能|就会|就一定能|就一定会)")
# A question about how or why (是怎样一体推进“三不腐”的, 为什么要坚持…): a clause of the answer
# sentence that repeats what it asks about is followed by the clauses that say how or why. Not
# 怎样的 / 怎么样的 (what kind of: WHAT_HEAD).
MANNER_OR_REASON = re.compile(r"(?:怎样|怎么|如何|为什么|为何|咋)(?!样?的)")
# The noun a what-kind or which-one question asks for: 要打造什么城 → 城, 以什么样的定力 / 怎样的定力 →
# 定力, 在哪个园区 → 园区.
WHAT_HEAD = re.compile(r"(?:什么样|怎么样|怎样|啥样|什么|何种|哪一?[个座家所条种类项])的?([\u4e00-\u9fff]{1,2})")

# --- newspaper layout ----------------------------------------------------------------------
# Photo captions, in the forms newspapers print them: …现场。毛思博 摄 / 李坤 航拍 / 图为…。（记者 王磊 摄）
# / …。新华社发 / …。（资料图片） / 资料图片 / （新华社记者 XX 摄）.
_PHOTOGRAPHER = r"(?:(?:新华社|本报)?(?:记者|通讯员|特约摄影)?\s*[\u4e00-\u9fff]{2,4}\s*)+(?:摄|航拍|供图)+"
CAPTION = re.compile(
    r"(?:摄|航拍)$|^[（(]?资料图片[）)]?|[。.]\s*" + _PHOTOGRAPHER + r"$"
    + r"|[（(]\s*" + _PHOTOGRAPHER + r"\s*[）)]$"  # （记者 王磊 摄）
    + r"|^图为|^图[一二三四五六七八九十\d]+[：:]"  # 图为会议现场。 / 图1：
    + r"|新华社(?:记者\s*[\u4e00-\u9fff]{2,4}\s*)?(?:发|摄|供图)$"  # …。新华社发
    + r"|[（(]资料图片[）)]$|[。.]资料图片$|(?:资料)?图片[:：]?\s*(?:来源|由)[\u4e00-\u9fff]{2,12}(?:提供)?$")
BYLINE = re.compile(r"^(?:本版撰稿[:：]|本报记者\s|(?:本报)?通讯员\s)")
PAGE_JUMP = re.compile(r"[（(][上下][接转][一二三四五六七八九十\d]+版[）)]")
HEADING_1 = re.compile(r"^[一二三四五六七八九十]{1,3}、")
HEADING_2 = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")
LEAD = re.compile(r"^——")
ARTICLE_START = re.compile(r"^本报讯")
ENUMERATION = re.compile(r"^([一二三四五六七八九十]{1,3})(?:要|是|方面)")  # 二是…: the item's number

# Reporters: the parenthesis after a dateline (本报讯（记者 赵雪 通讯员 孙立新）) and byline lines
# (本报记者 崔圣驰 张靓 / ——记者 李明 / 作者：赵雪 / 文/王磊). Names followed by 摄 are photographers.
DATELINE_CREDIT = re.compile(r"(?:本报讯|[\u4e00-\u9fff]{2,6}(?:讯|电))\s*[（(]([^）)]{2,40})[）)]")
BYLINE_LINE = re.compile(r"^(?:——|－－|—)?\s*[（(]?(?:本版撰稿[:：]\s*)?((?:(?:本报|见习|实习|特约)?记者|通讯员|作者[:：]|文[/／]|撰稿[:：]|执笔[:：])"
                         r"[\u4e00-\u9fff\s　·]{2,40})[）)]?$")
REPORTER_ROLE = re.compile(r"(?:本报|见习|实习|特约)?记者|通讯员|作者[:：]?|文[/／]|撰稿[:：]?|执笔[:：]?|本版撰稿[:：]?")

# --- dating a document from its text ------------------------------------------------------------
# How news says which year it reviews, plans for, or is written in (Y = a four-digit year).
_Y = r"((?:19|20)\d{2})\s*年"
REVIEWED_YEAR = re.compile(rf"(?:回首|回顾|总结|盘点)\s*(?:过去的)?\s*{_Y}|{_Y}(?:[^。，；]{{0,16}}?)(?:工作回顾|发展回顾|工作情况|工作总结)")
PLANNED_YEAR = re.compile(rf"(?:安排部署|部署|谋划|做好|确保){_Y}|{_Y}(?:全市|全年)?(?:经济社会发展的?|[^。，；]{{0,6}}?)?(?:主要)?(?:预期)?(?:目标|计划|任务)"
                          rf"|{_Y}[，,]\s*[^。；，]{{0,8}}?(?:将|要|力争)")
SINCE_START_OF_YEAR = re.compile(r"今年以来|一年来|前三季度|上半年|一季度|前[一二三四五六七八九十]+个月|截至目前")
PLANS_THIS_YEAR = re.compile(r"下半年|四季度|全年目标|今年[^。；]{0,12}?(?:计划|目标|将|要)|确保完成全年")
PLANS_NEXT_YEAR = re.compile(r"明年|来年")
# Five-year plans: a period being planned, the current year as a plan's first or last year.
FIVE_YEAR_PERIOD = re.compile(r"[“\"]?(十[三四五六]五)[”\"]?(?:时期|期间|规划|发展目标)|第(十[三四五六])个五年规划")
PLAN_ENDING_NOW = re.compile(r"[“\"]?(十[三四五六]五)[”\"]?(?:规划)?收官在即|今年是[“\"]?(十[三四五六]五)[”\"]?(?:规划)?收官之年")
PLAN_STARTING_NOW = re.compile(r"今年是[“\"]?(十[三四五六]五)[”\"]?(?:规划)?开局之年")
PLAN_STARTING_NEXT = re.compile(r"[“\"]?(十[三四五六]五)[”\"]?(?:规划)?开局在即")
# A month and day is the date of the report when the event or the dateline names it.
DATELINE_EVENT = re.compile(r"召开|举行|开幕|闭幕|获悉|讯|报道|发布")
