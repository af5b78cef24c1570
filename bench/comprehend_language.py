# ruff: noqa: RUF001  (sentences in other scripts are the point)
"""Accuracy of packaged, offline language identifiers on short hand-written sentences.

Run: ``.venv/bin/python -m bench.comprehend_language``. Candidates that are not installed are
skipped. Sentences are 3-10 words, four per language, written for this benchmark.
"""

from __future__ import annotations

import time
from collections.abc import Callable

SENTENCES: dict[str, list[str]] = {
    "en": [
        "The train leaves at seven tomorrow.",
        "Could you close the window, please?",
        "My sister bought a new bicycle.",
        "It rained all weekend again.",
    ],
    "es": [
        "El tren sale mañana a las siete.",
        "¿Puedes cerrar la ventana, por favor?",
        "Mi hermana compró una bicicleta nueva.",
        "Llovió todo el fin de semana otra vez.",
    ],
    "fr": [
        "Le train part demain à sept heures.",
        "Peux-tu fermer la fenêtre, s'il te plaît ?",
        "Ma sœur a acheté un nouveau vélo.",
        "Il a plu tout le week-end encore.",
    ],
    "de": [
        "Der Zug fährt morgen um sieben ab.",
        "Kannst du bitte das Fenster schließen?",
        "Meine Schwester hat ein neues Fahrrad gekauft.",
        "Es hat wieder das ganze Wochenende geregnet.",
    ],
    "it": [
        "Il treno parte domani alle sette.",
        "Puoi chiudere la finestra, per favore?",
        "Mia sorella ha comprato una bicicletta nuova.",
        "Ha piovuto di nuovo tutto il fine settimana.",
    ],
    "pt": [
        "O comboio parte amanhã às sete horas.",
        "Você pode fechar a janela, por favor?",
        "Minha irmã comprou uma bicicleta nova.",
        "Choveu o fim de semana inteiro de novo.",
    ],
    "nl": [
        "De trein vertrekt morgen om zeven uur.",
        "Kun je het raam dichtdoen, alsjeblieft?",
        "Mijn zus heeft een nieuwe fiets gekocht.",
        "Het heeft weer het hele weekend geregend.",
    ],
    "sv": [
        "Tåget går i morgon klockan sju.",
        "Kan du stänga fönstret, tack?",
        "Min syster har köpt en ny cykel.",
        "Det regnade hela helgen igen.",
    ],
    "pl": [
        "Pociąg odjeżdża jutro o siódmej.",
        "Czy możesz zamknąć okno?",
        "Moja siostra kupiła nowy rower.",
        "Znowu padało przez cały weekend.",
    ],
    "tr": [
        "Tren yarın saat yedide kalkıyor.",
        "Pencereyi kapatır mısın lütfen?",
        "Kız kardeşim yeni bir bisiklet aldı.",
        "Bütün hafta sonu yine yağmur yağdı.",
    ],
    "ru": [
        "Поезд отправляется завтра в семь.",
        "Закрой, пожалуйста, окно.",
        "Моя сестра купила новый велосипед.",
        "Все выходные снова шёл дождь.",
    ],
    "ja": [
        "電車は明日七時に出発します。",
        "窓を閉めてもらえますか。",
        "姉が新しい自転車を買いました。",
        "週末はずっと雨でした。",
    ],
    "zh": [
        "火车明天七点出发。",
        "请你把窗户关上好吗？",
        "我姐姐买了一辆新自行车。",
        "整个周末又下雨了。",
    ],
    "ko": [
        "기차는 내일 일곱 시에 출발합니다.",
        "창문 좀 닫아 주시겠어요?",
        "언니가 새 자전거를 샀어요.",
        "주말 내내 또 비가 왔어요.",
    ],
    "ar": [
        "يغادر القطار غدا في الساعة السابعة.",
        "هل يمكنك إغلاق النافذة من فضلك؟",
        "اشترت أختي دراجة جديدة.",
        "أمطرت طوال عطلة نهاية الأسبوع مرة أخرى.",
    ],
    "hi": [
        "ट्रेन कल सात बजे निकलती है।",
        "क्या आप खिड़की बंद कर सकते हैं?",
        "मेरी बहन ने नई साइकिल खरीदी।",
        "पूरे सप्ताहांत फिर से बारिश हुई।",
    ],
}


def _lingua() -> Callable[[str], str]:
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def detect(text: str) -> str:
        language = detector.detect_language_of(text)
        return language.iso_code_639_1.name.lower() if language else "?"

    return detect


def _langdetect() -> Callable[[str], str]:
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    return lambda text: str(detect(text)).split("-")[0]


def _langid() -> Callable[[str], str]:
    import langid

    return lambda text: str(langid.classify(text)[0])


CANDIDATES = {"lingua": _lingua, "langdetect": _langdetect, "langid": _langid}


def main() -> None:
    total = sum(len(v) for v in SENTENCES.values())
    print(f"{len(SENTENCES)} languages, {total} sentences")
    print("| identifier | accuracy | ms / sentence | errors |")
    print("|---|---|---|---|")
    for name, build in CANDIDATES.items():
        try:
            detect = build()
        except ImportError:
            print(f"| {name} | not installed | | |")
            continue
        errors, started = [], time.perf_counter()
        for code, sentences in SENTENCES.items():
            for sentence in sentences:
                guess = detect(sentence)
                if guess != code:
                    errors.append(f"{code}->{guess}")
        elapsed = (time.perf_counter() - started) / total * 1000
        accuracy = 1 - len(errors) / total
        print(f"| {name} | {accuracy:.1%} | {elapsed:.1f} | {', '.join(errors) or '-'} |")


if __name__ == "__main__":
    main()
