"""Subscriptions in the console page: headless Chromium (through its
WebDriver, Debian's chromium and chromium-driver) driven with selenium.

Driven by tests/tests/http_console.rs, which serves the calculator with
the console on twice, the second time with WebSocket off, and runs:

    python3 console_subscribe.py URL URL_WITHOUT_WEBSOCKET

At `WAIT subscribed` (one subscription open) and `WAIT unsubscribed` the
script waits for a line on stdin: the test answers it once the server's
count of subscriptions is what the page claims, while the page still holds
its WebSocket. Each check prints a line; the last line is `VERDICT: ok N
checks` or `VERDICT: FAILED ...`, and the exit status is 0 only for ok.
"""

import shutil
import sys
import time
import traceback

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

url, no_websocket_url = sys.argv[1], sys.argv[2]
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
    # As console_browser.py: the distribution's browser and driver.
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--disable-gpu", "--window-size=1100,1400", "--no-proxy-server"):
        options.add_argument(flag)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def wait_for_test(what):
    print("WAIT %s" % what, flush=True)
    if sys.stdin.readline().strip() != "go":
        raise RuntimeError("the test did not answer WAIT %s" % what)


def open_page(driver, address):
    driver.get(address)
    WebDriverWait(driver, 15).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "section.method"))


def ticks(driver):
    return driver.find_element(By.CSS_SELECTOR, 'section[data-method="calc.ticks"]')


def state(form):
    return form.find_element(By.CSS_SELECTOR, "pre.outcome").get_attribute("data-state")


def status(form):
    return form.find_element(By.CSS_SELECTOR, "pre.outcome").text


def items(form):
    return [li.text for li in form.find_elements(By.CSS_SELECTOR, "ol.items > li")]


def button(form, name):
    return form.find_element(By.XPATH, './/button[normalize-space()="%s"]' % name)


def subscribe(form, count, interval_ms):
    for name, value in (("count", count), ("interval_ms", interval_ms)):
        field = form.find_element(By.CSS_SELECTOR, 'input[data-param="%s"]' % name)
        field.clear()
        field.send_keys(str(value))
    button(form, "Subscribe").click()


def until(driver, condition, seconds=15):
    """`condition` once it holds; a timeout fails the script (no hanging)."""
    return WebDriverWait(driver, seconds, poll_frequency=0.05).until(lambda d: condition())


def main():
    driver = browser()
    try:
        open_page(driver, url)
        form = ticks(driver)
        check("a subscription gets a Subscribe and an Unsubscribe button",
              button(form, "Subscribe").is_enabled() and not button(form, "Unsubscribe").is_enabled())
        returns = form.find_element(By.CSS_SELECTOR, ".returns").text
        check("it says what ends it", "ended by calc.unticks" in returns, returns)

        subscribe(form, 5, 20)
        until(driver, lambda: state(form) not in ("subscribing", "open"))
        check("five ticks end with the completed notice",
              state(form) == "completed" and status(form) == "completed: 5 items", status(form))
        check("each item is shown, in order", items(form) == ["1", "2", "3", "4", "5"], items(form))
        answer = form.find_element(By.CSS_SELECTOR, "pre.answer").text
        check("the subscribe answer is shown", '"result":' in answer, answer)
        socket = driver.find_element(By.ID, "socket").text
        check("the page says its WebSocket is open", socket == "WebSocket open", socket)

        # Calls still go by POST beside the socket.
        add = driver.find_element(By.CSS_SELECTOR, 'section[data-method="calc.add"]')
        for name, value in (("a", "2"), ("b", "3")):
            add.find_element(By.CSS_SELECTOR, 'input[data-param="%s"]' % name).send_keys(value)
        add.find_element(By.CSS_SELECTOR, "button.call").click()
        until(driver, lambda: add.find_element(By.CSS_SELECTOR, "pre.outcome").text == "5")
        check("an ordinary call still works", True)

        subscribe(form, 1000000, 20)
        until(driver, lambda: len(items(form)) >= 3)
        check("a long subscription shows items as they arrive",
              state(form) == "open" and items(form)[:3] == ["1", "2", "3"], (state(form), items(form)))
        wait_for_test("subscribed")
        button(form, "Unsubscribe").click()
        until(driver, lambda: state(form) != "open")
        check("Unsubscribe shows the unsubscribe answer",
              state(form) == "unsubscribed" and status(form).endswith("calc.unticks answered true"),
              status(form))
        answer = form.find_element(By.CSS_SELECTOR, "pre.answer").text
        check("the answer is true", '"result":true' in answer, answer)
        shown = items(form)
        wait_for_test("unsubscribed")
        time.sleep(0.3)
        check("no item arrives after the answer", items(form) == shown, (len(shown), len(items(form))))
        check("the buttons are back",
              button(form, "Subscribe").is_enabled() and not button(form, "Unsubscribe").is_enabled())
        check("the WebSocket stays open", driver.find_element(By.ID, "socket").text == "WebSocket open")

        # As fast as they come: the list keeps the last 300 lines.
        subscribe(form, 400, 0)
        until(driver, lambda: state(form) not in ("subscribing", "open"))
        shown = form.find_elements(By.CSS_SELECTOR, "ol.items > li")
        check("a long list keeps the newest 300, oldest first",
              len(shown) == 300 and shown[0].get_attribute("value") == "101" and shown[-1].text == "400",
              (len(shown), shown[0].get_attribute("value"), shown[-1].text))
        heading = form.find_element(By.XPATH, './/h3[starts-with(., "Items")]').text
        check("and says so",
              status(form) == "completed: 400 items (the last 300 shown)"
              and heading.lower() == "items: 400, the last 300 shown", (status(form), heading))

        subscribe(form, "many", 0)
        until(driver, lambda: state(form) not in ("subscribing", "open"))
        check("a refused subscription shows the fault",
              state(form) == "fault" and status(form).startswith("fault -32602"), status(form))

        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        check("the page logs no errors", not errors, errors)

        # WebSocket off: the upgrade gets the page, not 101.
        open_page(driver, no_websocket_url)
        form = ticks(driver)
        subscribe(form, 5, 20)
        until(driver, lambda: state(form) not in ("subscribing", "open"))
        check("without WebSocket the page says so instead of waiting",
              state(form) == "unavailable" and status(form).startswith("WebSocket is unavailable"),
              status(form))
        socket = driver.find_element(By.ID, "socket").text
        check("and its header too", socket == "WebSocket unavailable", socket)
        check("Subscribe can be tried again", button(form, "Subscribe").is_enabled())
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
