"""Fixed vocabularies for the demo utility: names, streets, towns, companies, meter models.

Everything here is a constant table; the generator only picks indexes, so a row costs a few
list look-ups and one f-string.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Paul Emily Andrew "
    "Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy "
    "Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy Jacob Amy "
    "Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda Larry Pamela Justin "
    "Nicole Scott Anna Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra "
    "Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia Dennis Heather Jerry "
    "Helen Tyler Catherine Aaron Diane José Julie Adam Victoria Nathan Joyce Henry Lauren Zachary "
    "Kelly Douglas Christina Peter Ruth Kyle Joan Noah Virginia Ethan Judith Jeremy Evelyn "
    "Christian Hannah Walter Andrea Keith Megan Austin Cheryl Roger Jacqueline Terry Madison Sean "
    "Teresa Gerald Abigail Carl Sophia Dylan Martha Harold Sara Jordan Gloria Jesse Janice Bryan "
    "Kathryn Lawrence Ann Arthur Isabella Gabriel Judy Bruce Charlotte Logan Julia Billy Grace "
    "Joe Amber Alan Alice Juan Jean Elijah Denise Willie Frances Albert Danielle Wayne Marilyn "
    "Randy Natalie Mason Beverly Vincent Diana Liam Brittany Roy Theresa Bobby Kayla Caleb Alexis "
    "Bradley Doris Russell Lori Lucas Tiffany Ngozi Wei Priya Mateo Aiko Sofia Omar Leila Hiroshi "
    "Ana Dmitri Fatima Kwame Ingrid Rafael Mei Arjun Chloé Tomasz Yara"
)

LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson "
    "Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell "
    "Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson "
    "Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera "
    "Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez "
    "McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns "
    "Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Muñoz Hunt "
    "Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer "
    "Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant "
    "Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight "
    "Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado "
    "Berry Perkins Hoffman Johnston Matthews Peña Richards Contreras Willis Carpenter Lawrence "
    "Sandoval Okafor Kowalski Nakamura Haddad Novak Lindqvist Mensah Oyelaran Petrov Fischer"
)

STREET_NAMES = _words(
    "Elm Oak Maple Pine Cedar Birch Walnut Chestnut Willow Spruce Ash Poplar Hickory Magnolia "
    "Sycamore Juniper Laurel Hawthorn Linden Aspen Main Church Mill Park Lake River Hill Spring "
    "Meadow Forest Valley Ridge Sunset Highland Orchard Prairie Harbor Bay Brook Creek Summit "
    "Liberty Union Franklin Jefferson Lincoln Madison Washington Adams Monroe Jackson Grant "
    "Garfield Cleveland Wilson Hamilton Clinton Lafayette Fulton Hudson Delaware Ontario Erie "
    "Huron Superior Michigan Cherokee Mohawk Seneca Dakota Colonial Heritage Pioneer Frontier "
    "Canyon Mesa Vista Fairview Glenwood Greenwood Lakeview Riverside Woodland Westwood Eastwood "
    "Northfield Southgate Kingston Windsor Cambridge Oxford Bristol Dover Salem Jasper Emerald "
    "Granite Copper Silver Golden Ivy Rosewood Foxglove Heather Thistle Clover Primrose Larkspur"
)

STREET_SUFFIXES = ("St", "Ave", "Rd", "Dr", "Ln", "Ct", "Blvd", "Way", "Pl", "Ter")

#: (city, region, first postal code, area code)
CITIES = (
    ("Springfield", "IL", 62701, "217"),
    ("Riverton", "IL", 62561, "217"),
    ("Decatur", "IL", 62521, "217"),
    ("Champaign", "IL", 61820, "217"),
    ("Peoria", "IL", 61602, "309"),
    ("Bloomington", "IL", 61701, "309"),
    ("Normal", "IL", 61761, "309"),
    ("Galesburg", "IL", 61401, "309"),
    ("Quincy", "IL", 62301, "217"),
    ("Jacksonville", "IL", 62650, "217"),
    ("Lincoln", "IL", 62656, "217"),
    ("Danville", "IL", 61832, "217"),
    ("Mattoon", "IL", 61938, "217"),
    ("Effingham", "IL", 62401, "217"),
    ("Kankakee", "IL", 60901, "815"),
    ("Ottawa", "IL", 61350, "815"),
    ("Pontiac", "IL", 61764, "815"),
    ("Macomb", "IL", 61455, "309"),
    ("Canton", "IL", 61520, "309"),
    ("Pekin", "IL", 61554, "309"),
    ("Litchfield", "IL", 62056, "217"),
    ("Taylorville", "IL", 62568, "217"),
    ("Pana", "IL", 62557, "217"),
    ("Clinton", "IL", 61727, "217"),
)

COMPANY_WORDS = _words(
    "Acme Summit Prairie Lakeside Harbor Keystone Pinnacle Granite Beacon Crescent Evergreen "
    "Northstar Bluewater Redwood Silverline Ironworks Heartland Frontier Liberty Meridian Sterling "
    "Cardinal Aurora Horizon Cornerstone Riverbend Oakridge Maplewood Clearview Brightside "
    "Goldfield Westfield Eastgate Highpoint Trinity Patriot Compass Anchor Vanguard Apex"
)

COMPANY_TRADES = (
    "Bakery", "Dental Group", "Auto Repair", "Hardware", "Logistics", "Foods", "Cafe",
    "Veterinary Clinic", "Printing", "Fitness", "Laundry", "Pharmacy", "Builders",
    "Insurance Agency", "Law Offices", "Florist", "Brewing Co", "Machine Shop", "Cold Storage",
    "Grocers", "Hotels", "Restaurants", "Car Wash", "Self Storage", "Medical Center",
)
CHAIN_TRADES = ("Restaurants", "Hotels", "Grocers", "Pharmacy", "Fitness", "Car Wash",
                "Self Storage", "Medical Center", "Cafe", "Auto Repair")
INDUSTRIAL_TRADES = ("Steel Fabrication", "Plastics", "Grain Processing", "Paper Mill",
                     "Foundry", "Chemical Works", "Packaging", "Ethanol Plant")
LEGAL_SUFFIXES = ("LLC", "Inc.", "Co.", "Corp.", "Ltd.")
STORE_KINDS = ("Shoe Store", "Bookshop", "Coffee Bar", "Pizza Kitchen", "Nail Salon",
               "Phone Repair", "Toy Store", "Optician", "Boutique", "Bank Branch", "Deli",
               "Jewellers")

EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")

#: Meter models: (manufacturer, model, meter type, manufacturer serial prefix)
ELECTRIC_METERS = (
    ("Itron", "OpenWay Riva", "E-SMART-1PH", "IT"),
    ("Landis+Gyr", "E350 Focus AXR", "E-SMART-1PH", "LG"),
    ("Aclara", "I-210+c", "E-SMART-1PH", "AC"),
    ("Honeywell Elster", "REX2", "E-SMART-1PH", "EL"),
)
ELECTRIC_TOU_METERS = (
    ("Itron", "OpenWay Riva TOU", "E-TOU-1PH", "IT"),
    ("Landis+Gyr", "E360 TOU", "E-TOU-1PH", "LG"),
)
ELECTRIC_DEMAND_METERS = (
    ("Landis+Gyr", "S4x Polyphase", "E-DEM-3PH", "LG"),
    ("Itron", "CENTRON Polyphase", "E-DEM-3PH", "IT"),
)
ELECTRIC_LEGACY_METERS = (
    ("General Electric", "I-70-S", "E-ELECTROMECH", "GE"),
    ("Westinghouse", "D4S", "E-ELECTROMECH", "WH"),
)
GAS_METERS = (
    ("Itron", "Intelis", "G-DIAPHRAGM", "IG"),
    ("Sensus", "R-275", "G-DIAPHRAGM", "SG"),
    ("Honeywell Elster", "AC-250", "G-DIAPHRAGM", "HG"),
)
GAS_COMMERCIAL_METERS = (("Sensus", "RT-1000 Rotary", "G-ROTARY", "SR"),
                         ("Dresser", "Roots 3M", "G-ROTARY", "DR"))
WATER_METERS = (
    ("Neptune", "T-10", "W-POSITIVE-DISP", "NT"),
    ("Badger Meter", "E-Series Ultrasonic", "W-ULTRASONIC", "BM"),
    ("Sensus", "iPERL", "W-MAGNETIC", "SW"),
)
