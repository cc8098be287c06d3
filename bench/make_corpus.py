#!/usr/bin/env python3
"""Writes bench/corpus.jsonl: a realistic mixed corpus of store API requests for the
benchmarks (criterion, the Node benchmark, the CLI end to end), about 80% valid.

Deterministic (fixed seed), so every benchmark and every day measures the same requests.
Phones are libphonenumber example numbers of ten regions, written the ways people type
them; each line is {"options": {...}, "request": {...}} so the default region travels
with the request.
"""
import csv, json, random, sys

random.seed(20261123)
FIRST = ["Amelia", "Zoë", "José", "Mei", "Oluwaseun", "Søren", "Aarav", "Chloé", "Łukasz", "Noah", "Fatima", "Hiroshi"]
LAST = ["Earhart", "Müller", "García", "Nakamura", "O'Brien", "Nowak", "Okafor", "Johansson", "Dubois", "Smith"]
DOMAINS = ["example.com", "gmail.com", "outlook.com", "yahoo.co.uk", "web.de", "bücher.de", "example.org"]
REGIONS = ["US", "GB", "DE", "FR", "DK", "AU", "JP", "BR", "IN", "CA"]

def phones(path):
    out = {r: [] for r in REGIONS}
    with open(path, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["region"] in out and row["pn_valid"] == "true" and row["variant"] in ("national", "international") \
                    and row["default_region"] == row["region"] and 9 <= int(row["e164_digits"]) <= 16:
                out[row["region"]].append(row["input"])
    return out

def request(phone_by_region, i):
    region = random.choice(REGIONS)
    first, last = random.choice(FIRST), random.choice(LAST)
    local = (first + "." + last).lower().replace("'", "").replace("ë", "e").replace("é", "e").replace("ø", "o").replace("ł", "l").replace("ü", "u")
    customer = {"first_name": first, "last_name": last}
    if random.random() < 0.9:
        customer["email"] = f"{local}{i}@{random.choice(DOMAINS)}"
    if random.random() < 0.8 or "email" not in customer:
        customer["phone"] = random.choice(phone_by_region[region])
    if random.random() < 0.6:
        customer["birthday"] = f"{random.randint(1940, 2008)}-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}"
    if random.random() < 0.5:
        customer["metadata"] = {"tier": random.choice(["gold", "silver"]), "signup": {"channel": "web", "campaign": i % 17}}
    if random.random() < 0.4:
        customer["external_references"] = [{"source": random.choice(["square", "my_pos", "shopify"]), "external_id": f"EXT{i:06d}"}]
    body = {"customer": customer}
    if random.random() < 0.5:
        body["card_id"] = random.randint(1, 50)
        body["send_card_links"] = random.random() < 0.5
    # About one in five is broken the ways forms break.
    breakage = random.random()
    if breakage < 0.05:
        customer["email"] = customer.get("email", "x@example.com").replace("@", "")
    elif breakage < 0.09:
        customer["phone"] = "12345"
    elif breakage < 0.12:
        customer["birthday"] = "2023-02-29"
    elif breakage < 0.15:
        customer["first_name"] = " "
    elif breakage < 0.18:
        customer.pop("email", None); customer.pop("phone", None)
    elif breakage < 0.20:
        body["card_id"] = "twelve"
    return {"options": {"default_region": region, "today": "2026-11-23"}, "request": body}

def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    by_region = phones(sys.argv[2] if len(sys.argv) > 2 else "tests/data/phone-libphonenumber-9.0.33.tsv")
    with open("bench/corpus.jsonl", "w") as out:
        for i in range(count):
            out.write(json.dumps(request(by_region, i), ensure_ascii=False) + "\n")

main()
