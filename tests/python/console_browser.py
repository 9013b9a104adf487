"""The console page in a real browser: headless Chromium through its
WebDriver (Debian's chromium and chromium-driver), driven with selenium.

Driven by tests/tests/http_console.rs, which serves the calculator with the
console on and runs:

    python3 console_browser.py URL SCREENSHOT

Each check prints a line; the last line is `VERDICT: ok N checks` or
`VERDICT: FAILED ...`, and the exit status is 0 only for ok.
"""

import shutil
import sys
import traceback

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

url, screenshot = sys.argv[1], sys.argv[2]
checks = 0
failures = []


def check(name, ok, detail=""):
    global checks
    checks += 1
    if ok:
        print("ok   %s" % name)
    else:
        failures.append(name)
        print("FAIL %s %s" % (name, detail))


def browser():
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--disable-gpu", "--window-size=1100,1400", "--no-proxy-server"):
        options.add_argument(flag)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    # The distribution's driver: selenium must not try to download one.
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def section(driver, method):
    return driver.find_element(By.CSS_SELECTOR, 'section[data-method="%s"]' % method)


def call(driver, method, args):
    form = section(driver, method)
    for name, value in args.items():
        field = form.find_element(By.CSS_SELECTOR, 'input[data-param="%s"]' % name)
        field.clear()
        field.send_keys(value)
    outcome = form.find_element(By.CSS_SELECTOR, "pre.outcome")
    time = form.find_element(By.CSS_SELECTOR, ".time")
    driver.execute_script("arguments[0].textContent = ''", time)
    form.find_element(By.CSS_SELECTOR, "button.call").click()
    WebDriverWait(driver, 10).until(lambda d: time.text.endswith(" ms"))
    answer = form.find_element(By.CSS_SELECTOR, "pre.answer").text
    return outcome.text, "fault" in outcome.get_attribute("class"), answer


def main():
    driver = browser()
    try:
        driver.get(url)
        WebDriverWait(driver, 15).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "section.method"))
        names = [s.get_attribute("data-method")
                 for s in driver.find_elements(By.CSS_SELECTOR, "section.method")]
        check("the page lists the calculator's methods",
              {"calc.add", "calc.div", "calc.echo", "calc.sumAll"} <= set(names), names)
        help_text = section(driver, "calc.add").find_element(By.CSS_SELECTOR, ".help").text
        check("each method shows its help", help_text == "Adds two integers.", help_text)

        outcome, fault, answer = call(driver, "calc.add", {"a": "2", "b": "3"})
        check("calc.add 2 3 shows 5", outcome == "5" and not fault, outcome)
        check("the JSON-RPC answer is shown", '"result":5' in answer, answer)

        outcome, fault, _ = call(driver, "calc.div", {"a": "1", "b": "0"})
        check("calc.div by zero shows the fault",
              fault and outcome == "fault 2: division by zero", outcome)

        Select(driver.find_element(By.ID, "protocol")).select_by_value("xml")
        outcome, fault, answer = call(driver, "calc.add", {"a": "2", "b": "3"})
        check("over XML-RPC calc.add shows 5", outcome == "5" and not fault, outcome)
        check("the XML answer is shown", "<i4>5</i4>" in answer and "methodResponse" in answer, answer)
        outcome, fault, _ = call(driver, "calc.div", {"a": "1", "b": "0"})
        check("an XML-RPC fault is shown", fault and outcome == "fault 2: division by zero", outcome)
        outcome, fault, _ = call(driver, "calc.echo",
                                 {"value": '{"at": {"$dateTime": "2026-12-04T10:00:00"}, "n": [1, 2.5]}'})
        check("dateTime travels marked and comes back marked",
              not fault and '"$dateTime": "2026-12-04T10:00:00"' in outcome, outcome)

        Select(driver.find_element(By.ID, "protocol")).select_by_value("json")
        call(driver, "calc.add", {"a": "2", "b": "3"})
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(screenshot)
        check("the screenshot is written", True)
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        check("the page logs no errors", not errors, errors)
    finally:
        driver.quit()


try:
    main()
except Exception as e:  # noqa: BLE001 - any failure is reported
    traceback.print_exc()
    failures.append("raised %s: %s" % (type(e).__name__, e))

if failures:
    print("VERDICT: FAILED %d of %d: %s" % (len(failures), checks, "; ".join(failures)))
    sys.exit(1)
print("VERDICT: ok %d checks" % checks)
