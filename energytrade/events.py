"""The dated events every layer refers to (one place: claims, analysis, figures and the report read them here).

Each date has its source in a comment. Figures mark them with :data:`EVENT_LABELS`.

>>> WAR_START.isoformat(), ARTICLE_DATE.isoformat()
('2022-02-24', '2022-12-30')
>>> EU_CRUDE_EMBARGO == G7_CRUDE_PRICE_CAP
True
"""

from __future__ import annotations

from datetime import date

#: Russia's full-scale invasion of Ukraine ("the outbreak of the war" in the article).
WAR_START = date(2022, 2, 24)
#: The first full calendar month of the war, ``YYYY-MM``.
WAR_FIRST_FULL_MONTH = "2022-03"
#: The article's date (Putin–Xi video summit, Friday 30 December 2022; shared/article.txt).
ARTICLE_DATE = date(2022, 12, 30)
#: EU embargo on seaborne Russian crude oil: Council Regulation (EU) 2022/879 (sixth package, 3 June 2022),
#: applying from 5 December 2022.
EU_CRUDE_EMBARGO = date(2022, 12, 5)
#: G7/EU price cap on seaborne Russian crude (USD 60/bbl), in force 5 December 2022
#: (Council Regulation (EU) 2022/2367; G7 statement of 2 December 2022).
G7_CRUDE_PRICE_CAP = date(2022, 12, 5)
#: EU embargo and G7 price caps on Russian refined products, from 5 February 2023 (Regulation (EU) 2022/879).
EU_PRODUCTS_EMBARGO = date(2023, 2, 5)

#: Short labels for figure annotations, in readers' words.
EVENT_LABELS: dict[date, str] = {
    WAR_START: "invasion of Ukraine",
    EU_CRUDE_EMBARGO: "EU crude embargo and G7 price cap",
    EU_PRODUCTS_EMBARGO: "EU products embargo",
}
