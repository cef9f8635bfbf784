"""Variant classes and keys: spellings of one name meet, different names stay apart."""

from __future__ import annotations

import itertools
import re

import pytest

from rfl_match.names import normalize_name, phonetic_key, skeleton_key
from rfl_match.names._resources import read_table
from rfl_match.names.clean import clean_text
from rfl_match.names.normalize import reads_somali
from rfl_match.names.romanization import _ascii_word
from rfl_match.names.variants import (
    fold_spelling,
    lookup_latin,
    nickname_names,
    variant_classes,
)

SAME = {
    "muhammad": "Mohammed Muhammad Mohamed Mohamad Muhammed Mohd Mhd محمد Maxamed Мухаммед Mahamed "
    "Mohammod",
    # Somali Maxamuud, written Mohamud in Somalia and Kenya, Mohamoud in Djibouti
    "mahmud": "Mahmud Mahmoud Mahmood Maxamuud Mohamud Mohamoud Mahamoud محمود",
    # names that fold as Allah and Ullah do, and names whose native spelling opens with إ
    "alaa": "Alaa Ala علاء آلاء",
    "ula": "Ola Oula Ula علا",
    "iman": "Iman Eman Imane إيمان ايمان",
    "ilham": "Ilham Elham إلهام",
    "ikram": "Ikram Ekram إكرام",
    "isra": "Isra Israa Esraa Esra إسراء",
    # names of their own that another class held (Fadil in Fadl's, Reem in the Korean Lim's)
    "fadl": "Fadl Fazl Fazal فضل",
    "fadil": "Fadil Fadhil Fazil Fazel فاضل",
    "rim": "Reem Rim Riem ريم",
    "salahaldin": "Salahaldin Salaheddin Salaheddine صلاحالدين",
    "gebru": "Gebru ገብሩ",
    "lula": "Lula Luula ሉላ",
    "alyona": "Alyona Alena Алёна Алена",
    "husayn": "Hussein Husayn Hossein Hüseyin Xuseen Hussen حسين",
    # Sashko is a man's alone; Sasha, Shura and Sanya are Aleksandra's too (nicknames.tsv)
    "alexander": "Olexandr Aleksandr Alexander Олександр Александр Sashko Сашко",
    "jose": "José JOSE Pepe Chepe",
    # one word (peace) in Arabic and in Tigrinya and Amharic
    "salam": "Salam Salaam سلام Selam ሰላም",
    "abdalqadir": "Abdulqadir Abdikadir Abdiqadir Cabdiqaadir عبدالقادر",
    "ummkulthum": "Umkulthum Umkalthum Oumkalthoum",
    "francisco": "Francisco Paco Pancho",
    "antonio": "Antonio Toño Tono",
    "guadalupe": "Guadalupe Lupe Lupita",
    "jesus": "Jesús Chucho Chuy",
    "abdallah": "Abdullah Abdallah Cabdullaahi Abdullahi عبدالله",
    "abdalrahman": "Abdulrahman Abdelrahman Abdurrahman Cabdiraxmaan عبدالرحمن",
    "tesfaye": "Tesfaye Tesfay Tesfaie ተስፋዬ",
    # Ukrainian h for Russian g, and South Slavic j for the glide others write i or y
    "galina": "Galina Halyna Галина",
    "gleb": "Gleb Hlib Гліб",
    "georgy": "Georgy Heorhii Георгій",
    "sofia": "Sofia Sofiia Sofija Sofya Софія София",
    "maria": "Maria Mariia Marija Марія",
    "andrei": "Andrei Andrii Andrij Andrej Андрій Andriyko Андрійко Andryusha Андрюша",
    # Somali d for Arabic t (Faduma), and kh written h (Hadija)
    "fatima": "Fatima Faduma Fadumo Fatuma Fatna فاطمة",
    "khadija": "Khadija Hadija Kadija Xadiija Khadiijo خديجة",
    # Turkish, Kurdish and Russian final t for d
    "hamid": "Hamid Hamit حامد",
    "murad": "Murad Murat Mourad Мурат مراد",
    "azad": "Azad Azat ئازاد",
    "fuad": "Fuad Fuat فؤاد",
    # Kurmanji e for a (Ehmed), Somali n for a final m (Ibraahin) and Somali c for ʿ
    "ahmad": "Ahmad Ahmet Ehmed أحمد",
    "ibrahim": "Ibrahim Ibrahin Ibraahin إبراهيم",
    "uthman": "Osman Othman Cismaan Ismaan عثمان",
    "jama": "Jama Jamac Jaamac",
    "suad": "Suad Souad Sucaad سعاد",
    "naima": "Naima Nacima نعيمة",
    "ubah": "Ubah Ubax Oubah",
    "ifrah": "Ifrah Ifrax",
    "nimco": "Nimco Nimo",
    "khadar": "Khadar Kadar Khader",
    # Sudanese g for q (Ishag, Yagoub, Sadig, Siddig, Gamar), k for kh (Kamis)
    "yishak": "Ishaq Ishag Eshag إسحاق",
    "yaqub": "Yaqub Yacoub Yagoub Yakub يعقوب",
    "sadiq": "Sadiq Sadig Elsadig Al-Sadiq الصادق",
    "siddiq": "Siddiq Siddig صديق",
    "qamar": "Qamar Gamar قمر",
    "khamis": "Khamis Kamis Khamees خميس",
    "nasraldin": "Nasreddine Nasreldin نصرالدين",
    # Iraqi dh for ظ and ذ (Kadhim, Muadh), th for ذ (Muath)
    "kazim": "Kazim Kadhim Kazem كاظم",
    "muadh": "Muadh Muath Moaz معاذ",
    # Rohingya and Bengali z for j (Sazida, Zannat, Zamal), s for sh and o for a (Rosid),
    # p for f (Yousup)
    "sajida": "Sajida Sazida Sajeda ساجدة",
    "jannat": "Jannat Zannat",
    "jamal": "Jamal Zamal جمال",
    "rashid": "Rashid Rosid Roshid Rashed Rached راشد",
    "rashida": "Rashida Rosida راشدة",
    "yusuf": "Yusuf Youssef Yousef Yousup يوسف",
    # Burmese final -ar for a long a (Sandar, Thidar)
    "sanda": "Sanda Sandar စန္ဒာ",
    "thida": "Thida Thidar",
    # Dari and Pashto: Javid (جاوید) is not Javad (جواد); Urdu and Dari s for th (Kulsum)
    "javid": "Javid Javed Jawid جاوید",
    "kulthum": "Kulthum Kulsum Kolsoom كلثوم",
    "wardak": "Wardak Wardag وردک",
    # Kurmanji x for kh; Kurdish Kawa is Persian Kaveh
    "bakhtiyar": "Bakhtiyar Bextiyar بختیار",
    "kawa": "Kawa Kaveh کاوە",
    # Tigrinya and Amharic: Ge'ez k written ch after the English Michael, Saron for Sharon
    "gebremichael": "Gebremichael Gebremikael ገብረሚካኤል",
    "gebremedhin": "Gebremedhin Gebremedin ገብረመድህን",
    "saron": "Saron Sharon ሳሮን",
    # Somali Cabdisalaan: the abd- compound of salam (not abd + alam)
    "abdalsalam": "Abdisalam Abdisalan Cabdisalaan Abdulsalam Abdussalam عبدالسلام",
    # other transliterations of Cyrillic (Mihail, Tetjana) and diminutives (Olya, Sashko)
    "mikhail": "Mikhail Mihail Михаил",
    "tatiana": "Tatiana Tetiana Tetjana Тетяна Tatsiana Таццяна",
    "bohdana": "Bohdana Bogdana Богдана",
    "olga": "Olga Olya Оля",
    "maryam": "Maryam Maryan Mariyan مريم",
    # Russian and Ukrainian diminutives, as Sashko and Olya above (and Andriyko, Andryusha)
    "ivan": "Ivan Ivanko Іванко Vanya",
    "yuri": "Yuri Юра",
    "grigory": "Grigory Hryhorii Grisha Hrytsko Грицько",
    "ilya": "Ilya Illya Ілля Илья Ilyusha",
    "vitaly": "Vitaly Vitalii Віталій Vitalik",
    "stanislav": "Stanislav Станіслав Stas",
    "anastasia": "Anastasia Anastasiia Nastya Настя",
    "viktoria": "Viktoria Viktoriia Victoria Vika",
    "darya": "Daria Darya Дарина Dasha Даша Darja Дар'я",
    "kseniya": "Kseniya Ksenia Ksyusha Xenia Ксенія",
    # feminine forms, each a class of its own: Russian, Ukrainian (KMU 2010: Oleksandra,
    # Yevheniia), Belarusian and older or foreign passport spellings, and the Cyrillic
    "alexandra": "Alexandra Aleksandra Oleksandra Olexandra Aliaksandra Александра "
    "Олександра Аляксандра",
    "yevgenia": "Yevgeniya Yevgenia Evgenia Evgeniya Yevheniia Ievgeniia Eugenia Евгения "
    "Євгенія Яўгенія",
    "natalia": "Natalia Nataliia Natalja Natallia Natalie Наталия Наталья Наталія Наталля",
    # and its English, German, Scandinavian, Spanish and Hungarian forms, Catherine as
    # Katherine (Catherine alone was listed, Katherine and Kathryn in no class)
    "ekaterina": "Ekaterina Kateryna Katsiaryna Jekaterina Кацярына Катерина Catherine "
    "Katherine Katharine Catharine Kathryn Kathrin Katrin Katarina Catarina Catalina Katalin",
    # An (安) is one name in Korean (안, Ahn), Chinese and Vietnamese; Ann and Anne are Anna
    "an": "An Ahn 안",
    # and the Arabic حنا, Hanna (the Christian name, John), which read as هناء, Hanaa
    "anna": "Anna Ann Anne Анна Ганна حنا",
    # the Scandinavian Ole (Swedish Olle), which folded as Oleh, Oleg's Ukrainian spelling
    "ole": "Ole Olle",
    "kristina": "Kristina Khrystyna Krystyna Christina Кристина Христина",
    "nadezhda": "Nadezhda Nadejda Nadzeya Надежда Надія Надзея",
    "valentina": "Valentina Valentyna Walentyna Валентина",
    "vera": "Vera Wera Вера Віра",
    "marina": "Marina Maryna Марина",
    "larisa": "Larisa Larysa Larissa Лариса",
    "valeria": "Valeria Valeriya Valeriia Валерия Валерія",
    "lyudmila": "Lyudmila Liudmyla Ludmila Людмила",
    "lidia": "Lidia Lidiya Lydia Лидия Лідія",
    "yaroslava": "Yaroslava Jaroslava Ярослава",
    "ulyana": "Ulyana Uliana Уляна Ульяна",
    "snezhana": "Snezhana Snizhana Сніжана Снежана",
    "elvira": "Elvira Эльвира",
    # and masculine names whose Russian and Ukrainian forms were unlisted
    "maksim": "Maksim Maksym Maxim Максим",
    "kirill": "Kirill Kyrylo Кирилл Кирило",
    "egor": "Egor Yegor Yehor Єгор",
    "nikita": "Nikita Mykyta Микита",
    "daniil": "Daniil Danylo Daniel Даниил Данило",
    "semyon": "Semyon Semen Семён Семен",
    "vyacheslav": "Vyacheslav Viacheslav В'ячеслав Вячеслав",
    "yevgeny": "Yevgeny Yevhen Yevgeniy Євген Евгений",
    # Juma (جمعة, Friday) is its own name, not Jama (جامع): Arabic جمعة read as jama before
    "juma": "Juma Jumaa Jumma جمعة جمعه",
    # Spanish b = v and ll = y: one sound each, spelt either way in hand-written records
    "rivera": "Rivera Ribera",
    "castillo": "Castillo Castiyo",
    "portillo": "Portillo Portiyo",
    "orellana": "Orellana Oreyana",
    "alvarado": "Alvarado Albarado",
    "escobar": "Escobar Escovar",
    "menjivar": "Menjivar Menjívar Menjibar",
    "selvin": "Selvin Selbin",
    # Vietnamese names with and without their marks (Hưng and Hùng, Hường and Hương are
    # written alike without them); Hồng is the Korean Hong (洪) as a family name
    "hung": "Hùng Hung Hưng",
    "huong": "Hương Huong Hường",
    "hong": "Hồng Hong 홍",
    "chu": "Chu",
    "ton": "Tôn Ton",
}

DIFFERENT = [
    ("José", "Jesús"),
    ("Isabel", "Chela"),
    ("Mohammed", "Mahmoud"),
    ("محمد", "محمود"),
    ("Hassan", "Hussein"),
    ("حسن", "حسين"),
    ("Hassan", "Hassanein"),
    ("حنا", "هناء"),  # Hanna (a man's name) and Hanaa (a woman's)
    ("Hanna", "Hanaa"),
    ("Ali", "Alia"),
    ("علي", "علياء"),
    ("Amin", "Amina"),
    ("أمين", "أمينة"),
    ("Said", "Sayyid"),
    ("Jamal", "Jamil"),
    ("Galina", "Alina"),
    ("Sofia", "Safia"),
    ("Maria", "Mariam"),
    ("Andrei", "Andrijana"),
    ("Sofia", "Sufyan"),
    ("Galina", "Halima"),
    ("Hlib", "Habib"),
    ("Faduma", "Fahima"),
    ("Hadija", "Hadiya"),
    ("Hadija", "Hadi"),
    ("Murad", "Marta"),
    ("Murat", "Murtada"),
    ("Azat", "Asta"),
    ("Fuat", "Fatma"),
    ("Hamit", "Amit"),
    ("Sadiq", "Siddiq"),
    ("Sadig", "Siddig"),
    ("Rashida", "Rashid"),
    ("Rosida", "Rosid"),
    ("Rashed", "Rashad"),
    ("Jama", "Juma"),
    ("Jaamac", "Jumaa"),
    ("جامع", "جمعة"),
    ("Ilya", "Ilyas"),
    ("Vika", "Vikas"),
    ("Ribera", "Rivero"),
    ("Castillo", "Castellanos"),
    # Russian surname Lobov folds (o = u) onto Lyubov's spelling lubov; Temma (a name of its
    # own) onto Artem's diminutive tema; Yora, Youra onto Yuri's diminutive yura
    ("Lobov", "Lyubov"),
    ("Temma", "Artem"),
    ("Yora", "Yuri"),
    # Vitya is short for both Viktor and Vitaly: in neither class
    ("Vitya", "Viktor"),
    ("Витя", "Виктор"),
    ("Javed", "Javad"),
    ("جاوید", "جواد"),
    ("Kazem", "Kassem"),
    ("Kadhim", "Qasim"),
    ("Gamar", "Gamal"),
    ("Suad", "Saud"),
    ("Khadar", "Kader"),
    ("Sanda", "Sandra"),
    ("Ifrah", "Afrah"),
    ("Gebremichael", "Gebremedhin"),
    ("Sazida", "Sajjad"),
    ("Zamal", "Kamal"),
    ("Muath", "Mutaz"),
    ("Fatna", "Fatin"),
    ("Yagoub", "Ayoub"),
    ("Naima", "Nima"),
    ("Bohdana", "Bohdan"),
    ("Abdisalam", "Abdulalim"),
    ("Mohamud", "Mohamed"),
    ("Mohamoud", "Mohammed"),
    ("Mohamud", "Mohammod"),
    ("Alaa", "Ullah"),
    ("علاء", "الله"),
    ("Ola", "Ullah"),
    ("Alla", "Allah"),
    ("إيمان", "أيمن"),
    ("إكرام", "أكرم"),
    ("Fadil", "Fadl"),
    ("Reem", "Lim"),
    ("Salaheddine", "Salah"),
    ("Berhe", "Berhane"),
    ("Gebru", "Gebre"),
    ("Alyona", "Elena"),
    # a feminine form is a name of its own, as Bohdana is
    ("Aleksandra", "Aleksandr"),
    ("Олександра", "Олександр"),
    ("Alexandra", "Alexander"),
    ("Yevgeniya", "Yevgeny"),
    # Sasha is a pet form of both (nicknames.tsv): in neither class, as Zhenya
    ("Sasha", "Aleksandr"),
    ("Саша", "Александр"),
    ("Євгенія", "Євген"),
    ("Valentina", "Valentin"),
    ("Yaroslava", "Yaroslav"),
    ("Stanislava", "Stanislav"),
    # Zhenya and Valya are pet forms of both: in neither class, as Vitya
    ("Zhenya", "Yevgeny"),
    ("Женя", "Евгений"),
    ("Valya", "Valentina"),
    # the Arabic Nadia and Zahr are not Nadezhda (Nadiia folds as Nadia) and Zakhar; Vieira
    # folds as the Ukrainian Vira would, Elvira and Eliana read as el- before Vira and Iana
    ("Nadia", "Nadezhda"),
    ("نادية", "Надія"),
    ("زهر", "Захар"),
    ("Vieira", "Vera"),
    ("Elvira", "Vera"),
    ("Eliana", "Yana"),
    ("Luula", "Lola"),
    # Vietnamese La (La Thi Mai) is no fragment of Allah: lah and llah folded as la did
    ("La", "Allah"),
    ("Lah", "Allah"),
    # Assad is Asad, not the article assimilated before Sad (Arrashid: al-Rashid)
    ("Assad", "Saad"),
    # Ole and Olle fold as Oleh (Oleg); Ann as An, and An was the Korean Ahn alone
    ("Ole", "Oleg"),
    ("Olle", "Oleh"),
    ("Ann", "An"),
    ("Ann", "안"),
    # Vietnamese names that fold as another's (o = u): Hùng (雄) and Hương (香) are neither
    # one name nor the Korean Hong; Chu is not the Korean Cho, Tôn not the Burmese Htun
    ("Hùng", "Hương"),
    ("Hung", "Huong"),
    ("Hùng", "Hồng"),
    ("Hương", "홍"),
    ("Chu", "Cho"),
    ("Chu", "조"),
    ("Tôn", "Tun"),
    ("Ton", "ထွန်း"),
]


@pytest.mark.parametrize("class_id", sorted(SAME))
def test_spellings_of_one_name_share_a_class(class_id: str) -> None:
    for spelling in SAME[class_id].split():
        assert normalize_name(spelling).variant_ids == (class_id,), spelling


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_confusable_names_stay_apart(a: str, b: str) -> None:
    assert normalize_name(a).variant_ids != normalize_name(b).variant_ids


def test_multiword_compounds_are_one_token() -> None:
    forms = ["Abd al-Rahman", "Abdul Rahman", "Abdulrahman", "عبد الرحمن", "Abd-ur-Rahman"]
    assert {normalize_name(f).variant_ids for f in forms} == {("abdalrahman",)}


@pytest.mark.parametrize(
    "second", ["Rahman", "Rashid", "Latif", "Salam", "Razak", "Samad", "Sattar", "Nasser", "Zahir"]
)
def test_abd_written_apart_without_an_article_is_the_abd_compound(second: str) -> None:
    # Malaysian and Central Asian spelling (Abd Rahman, Abdrahman): the letter after abd
    # opens the second part, it is no assimilated article to drop (abdalahman, bdmn)
    apart = normalize_name(f"Abd {second}")
    joined = normalize_name(f"Abd{second.lower()}")
    with_article = normalize_name(f"Abdul {second}")
    assert apart.variant_ids == joined.variant_ids == with_article.variant_ids
    assert apart.skeleton_keys == joined.skeleton_keys == with_article.skeleton_keys
    assert apart.phonetic_keys == with_article.phonetic_keys


def test_abd_rahman_meets_its_arabic_spelling() -> None:
    forms = [normalize_name(n) for n in ("Abd Rahman", "عبد الرحمن", "Abdurrahman", "Abdrrahman")]
    assert {f.variant_ids for f in forms} == {("abdalrahman",)}
    assert {f.skeleton_keys for f in forms} == {("bdrmn",)}


@pytest.mark.parametrize(
    ("name", "other"), [("Alireza", "Reza"), ("Alisher", "Sher"), ("Alimardan", "Mardan")]
)
def test_a_name_that_opens_with_al_keeps_its_al(name: str, other: str) -> None:
    # Ali + Reza is a given name of its own: its al- is no article to drop, so it does not
    # sound like the given name Reza
    a, b = normalize_name(name), normalize_name(other)
    assert a.skeleton_keys != b.skeleton_keys
    assert a.phonetic_keys != b.phonetic_keys


def test_a_listed_name_read_with_another_first_vowel_keeps_its_al() -> None:
    # Elmaz is Almaz (አልማዝ), an Ethiopian given name, spelt with e: its el- is no article
    # either, or the two spellings of one name would not sound alike
    keys = {normalize_name(n).skeleton_keys for n in ("Elmaz", "Almaz", "አልማዝ")}
    assert len(keys) == 1


def test_a_joined_article_still_goes_before_a_name() -> None:
    hassan = normalize_name("Hassan")
    for spelling in ("Alhassan", "Elhassan"):
        form = normalize_name(spelling)
        assert form.variant_ids == hassan.variant_ids
        assert form.skeleton_keys == hassan.skeleton_keys
    # an unlisted nisba keeps meeting its Arabic spelling, which loses its ال
    assert normalize_name("Alzahrani").skeleton_keys == normalize_name("الزهراني").skeleton_keys
    assert normalize_name("Alhashimi").skeleton_keys == normalize_name("الهاشمي").skeleton_keys


def test_chain_order_is_kept() -> None:
    a = normalize_name("Abdi Farah Hassan", culture="somali")
    b = normalize_name("Abdi Hassan Farah", culture="somali")
    assert a.variant_ids != b.variant_ids
    assert a.roles == ("given", "father", "grandfather")


def test_no_spelling_is_in_two_classes() -> None:
    owner: dict[str, str] = {}
    clashes = []
    for class_id, spellings in read_table("variants.tsv"):
        for spelling in [class_id, *spellings.split(",")]:
            clean = clean_text(spelling).replace(" ", "")
            if not clean:
                continue
            key = _ascii_word(clean) if clean.isascii() else clean
            if owner.setdefault(key, class_id) != class_id:
                clashes.append((spelling, owner[key], class_id))
    assert not clashes


#: Foldings that two classes' listed spellings share, each spelling read as listed: the
#: Somali Mohamud (Mahmud) and the Bengali Mohammod (Muhammad); Alaa (علاء) and Ola (علا)
#: and the Allah and Ullah of compound names; the Tigrinya Lula and the Spanish Lola
#: (Dolores). A new one is a choice to make here, not a listing's accident.
SHARED_FOLDINGS = {
    "muhamud": {"muhammad", "mahmud"},
    "ala": {"allah", "alaa"},
    "ula": {"allah", "ula"},
    "lula": {"dolores", "lula"},
    "an": {"an", "anna"},  # An (安: Korean Ahn, Vietnamese, Chinese) and Ann (Anna)
    "ule": {"oleg", "ole"},  # Oleh (Oleg) and Ole, Olle
    "hung": {"hong", "hung", "huong"},  # the Korean Hong, the Vietnamese Hùng and Hương
    "chu": {"cho", "chu"},  # the Korean Cho and the Vietnamese Chu
    "tun": {"htun", "ton"},  # the Burmese Htun (Tun) and the Vietnamese Tôn
    "hana": {"anna", "hanaa"},  # Hanna, Ганна's passport spelling, and the Arabic Hanaa (هناء)
}


def test_classes_share_a_folding_only_where_named() -> None:
    classes: dict[str, set[str]] = {}
    for class_id, spellings in read_table("variants.tsv"):
        for spelling in [class_id, *spellings.split(",")]:
            clean = clean_text(spelling).replace(" ", "")
            if clean.isascii() and clean:
                classes.setdefault(fold_spelling(_ascii_word(clean)), set()).add(class_id)
    shared = {key: ids for key, ids in classes.items() if len(ids) > 1}
    assert shared == SHARED_FOLDINGS


def test_two_vietnamese_name_syllables_are_two_names() -> None:
    """No two syllables of ``vietnamese_syllables.tsv`` (as written without their marks)
    read as one class: Hung (Hùng) and Huong (Hương) folded as the Korean Hong did."""
    owner: dict[tuple[str, ...], str] = {}
    together = []
    for syllable, _ in read_table("vietnamese_syllables.tsv"):
        ids = normalize_name(syllable.capitalize(), culture="vietnamese").variant_ids
        if owner.setdefault(ids, syllable) != syllable:
            together.append((owner[ids], syllable, ids))
    assert not together


def test_every_listed_spelling_reads_as_its_listing() -> None:
    wrong = []
    for class_id, spellings in read_table("variants.tsv"):
        for spelling in [class_id, *spellings.split(",")]:
            clean = clean_text(spelling).replace(" ", "").replace("_", "")
            if clean.isascii() and clean and lookup_latin(clean) != class_id:
                wrong.append((spelling, class_id, lookup_latin(clean)))
    assert not wrong


def test_a_spelling_of_a_shared_folding_that_is_not_listed_is_in_neither_class() -> None:
    assert fold_spelling("muhamud") in SHARED_FOLDINGS
    assert lookup_latin("muhamud") is None
    assert normalize_name("Muhamud").variant_ids == ("muhamud",)


@pytest.mark.parametrize(
    ("native", "latin"),
    [
        ("محمد", "Muhammad"),
        ("أحمد", "Ahmed"),
        ("عبدالرحمن", "Abdelrahman"),
        ("الحسن", "Hassan"),
        ("سميث", "Smith"),
        ("تشارلز", "Charles"),
        ("ياسمين", "Jasmin"),
        ("فيبر", "Weber"),
        ("عثمان", "Osman"),
        ("Ханс", "Hans"),
        ("Шевченко", "Shevchenko"),
        ("ሙሉጌታ", "Mulugeta"),
        # letters a Russian transcription drops or writes otherwise
        ("Безу", "Bézout"),
        ("Жиро", "Giraud"),
        ("Бертье", "Berthier"),
        ("Флавий", "Flavius"),
        ("Артур", "Artūrs"),
        ("Аньелли", "Agnelli"),
        ("Батталья", "Battaglia"),
        ("Риччи", "Ricci"),
        ("Шиманский", "Szymański"),
        ("Лукач", "Lukács"),
        ("Кшиштоф", "Krzysztof"),
        ("Высоцкий", "Wysocki"),
        ("Аквавива", "Acquaviva"),
        ("Аттенборо", "Attenborough"),
        ("Гаджиоглу", "Hacıoğlu"),
        ("Герман", "Hermann"),
        ("Рубинштейн", "Rubinstein"),
        ("Анучин", "Anutschin"),
        ("Христина", "Chrystyna"),
        # a cedilla dropped by a keyboard: the phonetic key reads the word without its
        # marks, the skeleton key with them (ç, ş: ch, sh, as in Turkish and Kurdish); and
        # Kurmanji Kurdish c and x (j, kh) in a word with ê, î or û
        ("Françoise", "Francoise"),
        ("François", "Francois"),
        ("Çelik", "Celik"),
        ("Çelik", "Chelik"),
        ("Şêrko", "Serko"),
        ("Şêrko", "Sherko"),
        ("Cemîl", "Jamil"),
        ("Cemîl", "جميل"),
        ("Cemîl", "Cemil"),
        ("Xelîl", "Khalil"),
        ("Xelîl", "خليل"),
        ("Xelîl", "Xelil"),
    ],
)
def test_native_and_latin_share_a_key(native: str, latin: str) -> None:
    a, b = normalize_name(native), normalize_name(latin)
    shared = set(a.skeleton_keys) & set(b.skeleton_keys) or set(a.phonetic_keys) & set(
        b.phonetic_keys
    )
    assert shared, (a, b)


def test_keys_tell_apart_different_consonants() -> None:
    assert skeleton_key("karim") != skeleton_key("khalid")
    assert phonetic_key("yusuf") != phonetic_key("ibrahim")
    # a final consonant is left out only when enough of the key is left
    assert skeleton_key("rashid") != skeleton_key("rasha")
    assert skeleton_key("murtada") != skeleton_key("omar")
    # a final d is not read as t: the t spellings of a name are its variant class's
    # (Murad, Murat), and the keys keep apart different names that differ there
    for a, b in (("madina", "matin"), ("murad", "marta"), ("nadia", "anita"), ("dalal", "talal")):
        assert skeleton_key(a) != skeleton_key(b), (a, b)
    assert skeleton_key("huda") != skeleton_key("taha")
    # a final d after m stays in a long key (the compounds of ahmad, muhammad, hamid)
    assert skeleton_key("gulahmad") != skeleton_key("ghulam")
    assert skeleton_key("noorahmad") == skeleton_key("nur") + skeleton_key("ahmad")
    # ... and a Turkish or Central Asian final t after m reads as that d (Abdusamat,
    # Abdussamet, Gulahmat); a final d after another consonant still goes (Abdulmajid)
    for a, b in (("abdusamat", "abdulsamad"), ("gulahmat", "gulahmad")):
        assert skeleton_key(a) == skeleton_key(b), (a, b)
    assert skeleton_key("abdulmajid") == skeleton_key("abdulmajit") == "bdmj"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Bantu names in French and English spelling: tsh, tch, ch
        ("Tshibangu", "Tchibangu"),
        ("Tshimanga", "Chimanga"),
        ("Tshisekedi", "Tchisekedi"),
        # Greek ch before r
        ("Christine", "Cristine"),
        ("Christian", "Kristian"),
    ],
)
def test_spellings_of_one_sound_share_a_skeleton(a: str, b: str) -> None:
    assert normalize_name(a).skeleton_keys == normalize_name(b).skeleton_keys


def test_spelling_rules_keep_to_their_names() -> None:
    # tsh is ch before i in both readings (the Luba names); an aspirated ts elsewhere
    # (Dzongkha Tshering, Tshomo) stays apart from Shirin and Shams
    tsh, tch = normalize_name("Tshibangu"), normalize_name("Tchibangu")
    assert tsh.phonetic_keys == tch.phonetic_keys
    for a, b in (("Tshering", "Shirin"), ("Tshomo", "Shams")):
        assert normalize_name(a).skeleton_keys != normalize_name(b).skeleton_keys, (a, b)
    # Greek chr only in Christ-, Chris-, Chrys-: Maghrebi Chrif is Sharif (ch = sh), and
    # the Polish Chrzanowski keeps its kh apart from Krzanowski
    assert normalize_name("Chrif").skeleton_keys == normalize_name("Sharif").skeleton_keys
    chrz = normalize_name("Chrzanowski").skeleton_keys
    assert chrz != normalize_name("Krzanowski").skeleton_keys


def test_keys_are_aligned_with_tokens() -> None:
    form = normalize_name("Haji Mohammad Zaman bin Abdul Karim al-Ahmadzai", culture="afghan")
    n = len(form.tokens)
    assert n == 4
    for field in (form.variant_ids, form.phonetic_keys, form.skeleton_keys, form.roles):
        assert len(field) == n
    assert len(form.token_scripts) == len(form.candidates) == n
    assert form.titles == ("haji",)
    assert form.roles == ("given", "father", "grandfather", "family")


# pieces of the spellings the rules look for, and letters around them
SPELLING_PIECES = [
    *("au", "eu", "oi", "ai", "ou", "x", "ier", "ult", "ill", "gn", "gli", "cc", "ci", "ck"),
    *("vic", "gh", "dg", "qu", "cch", "chi", "rz", "ius", "ot", "et", "ll", "ss", "tsh", "chr"),
    *"aeiouyjwnbpktdgscrv",
]


def test_spelling_rules_start_where_their_table_says() -> None:
    # the fast scan for Latin spelling rules passes places whose letter is in no rule's
    # "starts" column: a rule that could match there would be missed. Every word of up to
    # three pieces (each rule matches some of them at each of its declared letters).
    words = ["".join(p) for n in (1, 2, 3) for p in itertools.product(SPELLING_PIECES, repeat=n)]
    for pattern, _, _, starts in read_table("latin_spelling.tsv"):
        compiled = re.compile(pattern)
        for word in words:
            for match in compiled.finditer(word):
                assert word[match.start()] in starts, (pattern, word)


def test_somali_spelling_takes_the_key_of_its_arabic_name() -> None:
    # Somali c is the ʿayn that Arabic keys drop: Jaamac is جامع, and shares its skeleton
    # (the short key jm, which Jama and Juma share too); only the class tells Juma apart
    jaamac, arabic, juma = (normalize_name(n) for n in ("Jaamac", "جامع", "Juma"))
    assert jaamac.skeleton_keys == arabic.skeleton_keys
    assert jaamac.variant_ids == arabic.variant_ids != juma.variant_ids


@pytest.mark.parametrize(
    ("word", "other"),
    [
        # Somali spellings take the key of their anglicised form
        ("Maxamed", "Mohamed"),
        ("Cismaan", "Osman"),
        ("Ciise", "Isa"),
        # and where neither reading has a key of the class, the Somali one stays
        ("Xaashi", "Haashi"),
        ("Cabdiraxiin", "Abdirahin"),
        # names of other languages that only look Somali (x between vowels, c before a
        # vowel) keep the key of their own spellings
        ("Alexander", "Aleksandr"),
        ("Alexei", "Aleksei"),
        ("Olexandr", "Oleksandr"),
        ("Constantine", "Konstantin"),
        # an abd- compound that is not a row keeps its Somali (and Uzbek x = kh) reading
        ("Cabdixakiim", "Abdihakim"),
        ("Cabdiwaaxid", "Abdiwahid"),
        ("abduxaliq", "абдухалик"),
    ],
)
def test_somali_reading_gives_the_key_of_its_class(word: str, other: str) -> None:
    assert normalize_name(word).skeleton_keys == normalize_name(other).skeleton_keys


@pytest.mark.parametrize(
    ("a", "b"), [("Alexei", "Ali"), ("Castillo", "Istahil"), ("Castiyo", "Azat")]
)
def test_names_that_only_look_somali_keep_their_consonants(a: str, b: str) -> None:
    # read as Somali, Alexei was "l" (Ali's key), Castillo "stl" (Somali Istahil's)
    assert normalize_name(a).skeleton_keys != normalize_name(b).skeleton_keys


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Cira", "Ira"),
        ("Cierra", "Ira"),
        ("Cira", "Ray"),
        ("Cilia", "Ilya"),
        ("Cilia", "Ali"),
        ("Callum", "Alam"),
        ("Calum", "Alom"),
        ("Cadel", "Adel"),
    ],
)
def test_a_word_initial_c_alone_does_not_make_a_somali_reading(a: str, b: str) -> None:
    # Spanish and English Cira, Cierra, Cilia: read as Somali (c dropped), they took the
    # class and key of Russian Ira (iryna, r) and Ilya (ilya, l), and met Ray and Ali;
    # Scottish Callum and English Cadel took Arabic Alam's (alam, lm) and Adil's (adil, dl)
    na, nb = normalize_name(a), normalize_name(b)
    assert na.variant_ids != nb.variant_ids
    assert na.skeleton_keys != nb.skeleton_keys


@pytest.mark.parametrize(
    ("word", "somali"),
    [
        *((w, True) for w in ("faarax", "xasan", "cali", "cabdi", "maxamed", "cumar", "jaamac")),
        *((w, True) for w in ("cabdiraxmaan", "xuseen", "saciid", "caasha", "cismaan")),
        # they look Somali too (c, x beside a vowel, a long vowel written twice), but
        # their common reading is no name of theirs
        *((w, False) for w in ("carlos", "cecilia", "xavier", "alexander", "roxana", "isaac")),
        *((w, False) for w in ("celia", "cira", "ximena", "castillo", "warsame", "nuur")),
    ],
)
def test_a_somali_spelling_is_read_as_one(word: str, somali: bool) -> None:
    # with no culture hint, a name spelt so is read as a chain (given, father,
    # grandfather): rfl_match.prepare reads its full names so
    assert reads_somali(word) is somali


@pytest.mark.parametrize(("word", "other"), [("Farxaan", "Farhan"), ("Saxaaba", "Sahaba")])
def test_an_unlisted_name_with_an_x_and_a_long_vowel_takes_its_somali_key(
    word: str, other: str
) -> None:
    # No class lists Farhan: Farxaan kept "frksn" and met Farhan ("frn") by no key, so a
    # sighting of a child whose age was not written was proposed by no rule (a review's
    # case: "Farxaan Cabdi" against "Farhan Abdi", scored 0.98 when asked, never shown).
    # An x with no long vowel written twice stays as written (Alexander, Ximena, Maxim).
    assert normalize_name(word).skeleton_keys == normalize_name(other).skeleton_keys
    for plain, key in (("Alexander", "lksndr"), ("Ximena", "ksmn"), ("Maxim", "mksm")):
        assert normalize_name(plain).skeleton_keys == (key,)


def test_somali_x_still_takes_the_class_of_its_reading() -> None:
    assert normalize_name("Xawa").variant_ids == normalize_name("Hawa").variant_ids


@pytest.mark.parametrize(("word", "other"), [("Caaliya", "Aliya"), ("Cuumar", "Umar")])
def test_a_somali_long_vowel_with_an_initial_c_takes_the_class_of_its_reading(
    word: str, other: str
) -> None:
    # a vowel written twice is Somali spelling (Caadil, Cuumar): c is the ayn, dropped
    assert normalize_name(word).variant_ids == normalize_name(other).variant_ids


# Persian and Dari say a consonant و as v (Navid, Vahid, Parviz, Javad), Afghan and South
# Asian spellings often keep w (Nawid, Wahid, Parwiz, Jawad): every spelling of a listed
# name, in either script, is one class.
PERSIAN_V = [
    "Navid Nawid Naveed نوید نويد",
    "Vahid Wahid Waheed وحید",
    "Javad Jawad جواد",
    "Parviz Parwiz Parvez پرویز",
    "Vali Wali ولی",
    "Wafa Vafa وفا",
]


@pytest.mark.parametrize("spellings", PERSIAN_V)
def test_persian_v_and_w_spellings_are_one_class(spellings: str) -> None:
    classes = {normalize_name(s).variant_ids for s in spellings.split()}
    assert len(classes) == 1, classes


# Read as Persian, a consonant و is v: every spelling, in either script, meets every other,
# by class or by a key of the same kind, and the Arabic-script one reads with v.
PERSIAN_V_READINGS = [
    ("navid", "Navid Nawid Naveed نوید نويد"),
    ("wahid", "Vahid Wahid Waheed وحید"),
    ("javad", "Javad Jawad جواد"),
    ("parviz", "Parviz Parwiz Parvez پرویز"),
    ("wali", "Vali Wali ولی"),
    ("parvana", "Parvaneh Parwana Parvana پروانه"),  # unlisted: by its keys
]


@pytest.mark.parametrize(("name", "spellings"), PERSIAN_V_READINGS)
def test_persian_v_and_w_spellings_meet(name: str, spellings: str) -> None:
    forms = [normalize_name(s) for s in spellings.split()]
    for a, b in itertools.combinations(forms, 2):
        meet = (
            a.variant_ids == b.variant_ids
            or a.skeleton_keys == b.skeleton_keys
            or a.phonetic_keys == b.phonetic_keys
        )
        assert meet, (a, b)
    assert forms[-1].tokens == (name,)  # the Arabic-script spelling, read as Persian


@pytest.mark.parametrize(
    ("native", "culture", "token"),
    [
        ("نوید", None, "navid"),  # Persian letter ی: read as Persian
        ("نواف", "persian", "navaf"),
        ("نواف", "arabic", "nawaf"),  # read as Arabic: w, as before
        ("وليد", "arabic", "walid"),
        ("وليد", "afghan", "walid"),  # a listed name keeps its class's spelling
        ("یوسف", None, "yusuf"),  # و between consonants is a vowel
        ("نور", "afghan", "nur"),
    ],
)
def test_persian_reading_of_vav(native: str, culture: str | None, token: str) -> None:
    assert normalize_name(native, culture=culture).tokens == (token,)


def test_nicknames_table_stands_apart_from_the_classes() -> None:
    """Each nickname (nicknames.tsv) stands for names as usually spelt, one word each; no
    nickname is a spelling of a class it stands for (that is a variant, in variants.tsv);
    and spellings that fold alike find the same names."""
    rows = read_table("nicknames.tsv")
    assert len(rows) >= 40
    for spellings, names in rows:
        targets = [clean_text(name) for name in names.split(",")]
        assert targets and all(t and " " not in t for t in targets), names
        classes = {lookup_latin(t) for t in targets} - {None}
        for spelling in spellings.split(","):
            word = clean_text(spelling)
            assert word and word.isascii(), spelling
            assert lookup_latin(word) not in classes, (spelling, names)
            assert set(targets) <= set(nickname_names(word)), spelling
    assert nickname_names("hamudi") == nickname_names("hamoudi") != ()
    assert nickname_names("zhenya") == ("yevgeny", "yevgenia")
    assert nickname_names("sasha") == nickname_names("shura") == ("alexander", "alexandra")
    assert nickname_names("hassan") == () and nickname_names("") == ()
    # a name of its own that is also others' short form (Abdi: Abdirahman's, Abdullahi's)
    # lists every spelling of its class, so that each meets the names it stands for
    abdi = nickname_names("abdi")
    assert {"abdalrahman", "abdallah"} <= set(abdi)
    assert all(nickname_names(spelling) == abdi for spelling in variant_classes()["abdi"])
