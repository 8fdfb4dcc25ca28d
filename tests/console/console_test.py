#!/usr/bin/env python3
"""The operator's console (issue 11) in Debian's headless chromium, against
the real `facepass serve` (temp data dir, real models, --auth on).

Logs in with the bootstrap admin key, creates a group, enrols two dev photos
through the Enrol screen (one the gates refuse, one good, bound to the group),
finds the good one in the Group screen, runs a Recognise test with another
photo of the same person, finds that capture in History and follows it to the
face, compares two photos, reads the Devices table after a simulated device
sync, enrols three photos named from their file names, finds one by name on
the People screen, renames it and sees the new name in a Recognise test and
in History (issue 29), opens Settings, and loads the screens at 390 px. Then
(issue 30) a group made large through the store (facepass-test-fill-group,
not by enrolling) shows the stranger warning on its Group screen and in
Settings' threshold preview. A screenshot of each screen goes to --artifacts.
Exit 77 (skip) when the dev photos, the models,
chromium, chromium-driver or python3-selenium are missing."""

import argparse
import base64
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SKIP = 77
REFUSED = 'obama/video-240p.jpg'   # face 59 px: the face_min gate (docs/models.md)
GOOD = 'obama/1.jpg'
CAPTURE = 'obama/2.jpg'            # same person (faces.csv)
GROUP = 'console_t1'
NAMES_GROUP = 'console_names'
# Issue 29: photos copied under the names the console takes from the file names.
NAMED = {'Joe Biden.jpg': 'biden/2.jpg', 'Paul Rudd.jpg': 'paul_rudd/1.jpg', 'Alex Lacamoire.jpg': 'alex_lacamoire/1.jpg'}
NAMED_CAPTURE = 'biden/1.jpg'
RENAMED = 'Joseph R. Biden'


def skip(why):
    print(f'SKIP: {why}')
    sys.exit(SKIP)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def http(base, method, path, key, body=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={'Authorization': f'Bearer {key}', 'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Server:
    def __init__(self, binary, models, work, extra=()):
        os.makedirs(work, exist_ok=True)
        self.data = os.path.join(work, 'data')
        self.port = free_port()
        self.base = f'http://127.0.0.1:{self.port}'
        self.log_path = os.path.join(work, 'server.log')
        self.log = open(self.log_path, 'wb')
        self.proc = subprocess.Popen([binary, 'serve', '--listen', f'127.0.0.1:{self.port}', '--data-dir', self.data,
                                      '--models-dir', models, *extra], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f'server exited with {self.proc.returncode}; log {self.log_path}')
            try:
                urllib.request.urlopen(self.base + '/api/version/v1', timeout=2)
                break
            except urllib.error.HTTPError as e:
                if e.code == 401:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit(f'server did not come up; log {self.log_path}')
        key_file = os.path.join(self.data, 'admin.key')
        self.key = open(key_file).readline().strip() if os.path.exists(key_file) else ''

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def auth_off_skips_login(d, a, work, until, shot):
    """A server with --auth off: the console opens on Groups, no login."""
    from selenium.webdriver.common.by import By
    d.execute_script('sessionStorage.clear()')
    lab = Server(a.server, a.models, os.path.join(work, 'lab'), ['--auth', 'off'])
    try:
        d.get(lab.base + '/console/')
        until(lambda: d.find_elements(By.ID, 'new-group'), 'Groups without a login (--auth off)')
        assert not d.find_elements(By.ID, 'api-key')
        assert d.find_element(By.ID, 'logout').get_attribute('hidden') is not None
        shot('groups-auth-off')
    finally:
        lab.stop()
    return True


def models_with_repo_calibration(models, to):
    """The models folder's files linked into `to`, with this tree's calibration
    files copied over them (the tables issue 30 reads)."""
    os.makedirs(to, exist_ok=True)
    for f in os.listdir(models):
        os.symlink(os.path.abspath(os.path.join(models, f)), os.path.join(to, f))
    cal = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'calibration')
    for f in os.listdir(cal):
        if os.path.lexists(os.path.join(to, f)):
            os.remove(os.path.join(to, f))
        shutil.copyfile(os.path.join(cal, f), os.path.join(to, f))
    return to


def large_group_warns(d, a, work, until, shot):
    """Issue 30: 1,500 faces inserted through the store into one group; at the
    default threshold about 1.5 % of strangers would pass: the Group screen
    warns, and Settings' preview marks the group and clears it at 86."""
    from selenium.webdriver.common.by import By
    big, n = 'console_big', 1500
    lab_dir = os.path.join(work, 'big')
    models = models_with_repo_calibration(a.models, os.path.join(work, 'models-cal'))
    lab = Server(a.server, models, lab_dir, ['--auth', 'off'])
    try:
        with urllib.request.urlopen(lab.base + '/api/version/v1', timeout=10) as r:
            dim = json.loads(r.read())['data']['detail']['feature_dim']
    finally:
        lab.stop()
    fill = subprocess.run([a.fill, lab.data, big, str(n), str(dim)], capture_output=True, text=True, timeout=300)
    assert fill.returncode == 0, fill.stdout + fill.stderr
    lab = Server(a.server, models, lab_dir, ['--auth', 'off'])
    try:
        d.get(f'{lab.base}/console/#/group/{big}')
        until(lambda: d.find_elements(By.ID, 'stranger-warning'), 'the stranger warning on a large group')
        assert d.find_element(By.ID, 'face-count').text == str(n)
        rate = float(d.find_element(By.ID, 'stranger-pass-rate').get_attribute('data-rate'))
        assert 0.01 < rate < 0.03, rate
        assert 'Split large populations' in d.find_element(By.ID, 'stranger-warning').text
        assert d.find_element(By.ID, 'threshold-1-in-1000').text.replace('.', '', 1).isdigit()
        shot('group-large-warning')
        d.get(f'{lab.base}/console/#/settings')
        row = f'#strangers-body tr[data-group="{big}"]'
        until(lambda: d.find_elements(By.CSS_SELECTOR, row), 'the preview row of the large group')
        until(lambda: 'warn' in d.find_element(By.CSS_SELECTOR, row).get_attribute('class'), 'the large group marked')
        assert '%' in d.find_element(By.CSS_SELECTOR, '#genuine-refused').text
        d.find_element(By.ID, 'recognize_threshold').clear()
        d.find_element(By.ID, 'recognize_threshold').send_keys('86')
        until(lambda: d.find_element(By.ID, 'strangers-preview').get_attribute('data-threshold') == '86', 'the preview at 86')
        until(lambda: 'warn' not in d.find_element(By.CSS_SELECTOR, row).get_attribute('class'), 'no warning at 86')
        shot('settings-strangers')
    finally:
        lab.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--server', required=True)
    ap.add_argument('--device', required=True)
    ap.add_argument('--models', required=True)
    ap.add_argument('--shared', required=True)
    ap.add_argument('--artifacts', required=True)
    ap.add_argument('--fill', required=True, help='facepass-test-fill-group')
    a = ap.parse_args()
    faces = os.path.abspath(os.path.join(os.environ.get('FACEPASS_SHARED_DIR') or a.shared, 'faces'))
    for p in (REFUSED, GOOD, CAPTURE):
        if not os.path.isfile(os.path.join(faces, p)):
            skip(f'dev photo {p} not found under {faces} (set FACEPASS_SHARED_DIR)')
    if not os.path.isfile(os.path.join(a.models, 'arcface.onnx')):
        skip(f'models not found in {a.models} (scripts/fetch-models.sh)')
    chromium = shutil.which('chromium')
    driver_bin = shutil.which('chromedriver')
    if not chromium or not driver_bin:
        skip('chromium or chromedriver not installed (apt-get install chromium chromium-driver)')
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys
        from selenium.webdriver.support.ui import Select, WebDriverWait
    except ImportError:
        skip('python3-selenium not installed (apt-get install python3-selenium)')

    os.makedirs(a.artifacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix='facepass-console-')
    downloads = os.path.join(work, 'downloads')
    os.makedirs(downloads)
    server = Server(a.server, a.models, work)
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1280,800',
                f'--user-data-dir={os.path.join(work, "profile")}'):
        opts.add_argument(arg)
    opts.add_experimental_option('prefs', {'download.default_directory': downloads, 'download.prompt_for_download': False})
    opts.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    d = webdriver.Chrome(service=Service(executable_path=driver_bin), options=opts)
    d.execute_cdp_cmd('Page.setDownloadBehavior', {'behavior': 'allow', 'downloadPath': downloads})
    # Screens re-render their rows; an element replaced under a check is looked up again.
    wait = WebDriverWait(d, 30, ignored_exceptions=[StaleElementReferenceException, NoSuchElementException])
    shots = []
    ok = False

    def css(sel):
        return d.find_element(By.CSS_SELECTOR, sel)

    def until(fn, what):
        try:
            return wait.until(lambda _: fn())
        except Exception as e:
            raise AssertionError(f'timed out waiting for {what}') from e

    def shot(name):
        # The whole page, not only the window (results sit below the fold).
        path = os.path.join(a.artifacts, f'{name}.png')
        size = d.execute_cdp_cmd('Page.getLayoutMetrics', {})['cssContentSize']
        png = d.execute_cdp_cmd('Page.captureScreenshot', {'captureBeyondViewport': True, 'clip': {
            'x': 0, 'y': 0, 'width': size['width'], 'height': min(size['height'], 4000), 'scale': 1}})
        with open(path, 'wb') as f:
            f.write(base64.b64decode(png['data']))
        shots.append(path)

    def img_loaded(sel):
        return d.execute_script('const i = document.querySelector(arguments[0]); return !!i && i.complete && i.naturalWidth > 0;', sel)

    def go(hash_):
        d.get(f'{server.base}/console/#{hash_}')

    def recognise(group, capture, result_id, what):
        """Runs the Recognise screen on one photo and waits for `result_id`."""
        go(f'/recognise?group={group}')
        until(lambda: d.find_elements(By.ID, 'rec-file'), 'the Recognise screen')
        css('#rec-file').send_keys(os.path.join(faces, capture))
        css('#rec-run').click()
        until(lambda: d.find_elements(By.ID, result_id), what)

    try:
        # Login: /console redirects to /console/, which asks for a key.
        d.get(server.base + '/console')
        until(lambda: d.current_url.startswith(server.base + '/console/'), 'the redirect to /console/')
        until(lambda: d.find_elements(By.ID, 'api-key'), 'the login form')
        css('#api-key').send_keys('not-a-key')
        css('#login-button').click()
        until(lambda: 'refused' in css('#login-error').text, 'the refusal of a wrong key in words')
        shot('login')
        css('#api-key').clear()
        css('#api-key').send_keys(server.key)
        css('#login-button').click()
        until(lambda: d.find_elements(By.ID, 'new-group'), 'the Groups screen')
        assert d.execute_script('return sessionStorage.getItem("facepass.apiKey")') == server.key
        assert d.get_cookies() == [], d.get_cookies()

        # Groups: create one.
        css('#new-group').send_keys(GROUP)
        css('#create-group-button').click()
        until(lambda: d.find_elements(By.CSS_SELECTOR, f'tr[data-group="{GROUP}"]'), 'the new group row')
        until(lambda: css(f'tr[data-group="{GROUP}"] .version').text == '1', 'the group version 1 (notify stream)')
        assert css(f'tr[data-group="{GROUP}"] .count').text == '0'
        shot('groups')
        # Another group, deleted through its button and the confirmation.
        css('#new-group').send_keys('console_del')
        css('#create-group-button').click()
        until(lambda: d.find_elements(By.CSS_SELECTOR, 'tr[data-group="console_del"]'), 'the second group row')
        css('tr[data-group="console_del"] button.danger').click()
        d.switch_to.alert.accept()
        until(lambda: not d.find_elements(By.CSS_SELECTOR, 'tr[data-group="console_del"]'), 'the deleted group gone')
        css('#new-group').send_keys('bad name!')
        css('#create-group-button').click()  # the browser's pattern check stops it: no request
        assert css('#new-group').get_attribute('validationMessage'), 'the group name pattern is checked in the form'
        css('#new-group').clear()

        # Enrol: one refused photo, one good one bound to the group.
        go(f'/enrol?group={GROUP}')
        until(lambda: d.find_elements(By.ID, 'enrol-files'), 'the Enrol screen')
        assert Select(css('#enrol-group')).first_selected_option.get_attribute('value') == GROUP
        css('#enrol-files').send_keys('\n'.join(os.path.join(faces, p) for p in (REFUSED, GOOD)))
        until(lambda: css('#enrol-progress').get_attribute('value') == '2', 'both photos processed')
        bad = css(f'article[data-file="{os.path.basename(REFUSED)}"]')
        good = css(f'article[data-file="{os.path.basename(GOOD)}"]')
        assert 'refused' in bad.get_attribute('class'), bad.text
        assert bad.get_attribute('data-reason').startswith('BAD_QUALITY: face_min='), bad.get_attribute('data-reason')
        assert 'face size' in bad.text and 'below the minimum 100' in bad.text, bad.text
        assert 'enrolled' in good.get_attribute('class'), good.text
        token = good.get_attribute('data-face-token')
        assert token and len(token) == 24, token
        assert f'Bound to {GROUP}.' in good.text, good.text
        until(lambda: bad.find_element(By.TAG_NAME, 'canvas').get_attribute('data-drawn') == '1', 'the refused photo drawn with its rect')
        until(lambda: good.find_element(By.TAG_NAME, 'canvas').get_attribute('data-drawn') == '1', 'the good photo drawn with its rect')
        css('#enrol-csv').click()
        csv_path = os.path.join(downloads, 'facepass-enrol-results.csv')
        until(lambda: os.path.isfile(csv_path), 'the results CSV download')
        with open(csv_path, newline='') as f:
            rows = {r['file']: r for r in csv.DictReader(f)}
        assert rows[os.path.basename(GOOD)]['face_token'] == token and rows[os.path.basename(GOOD)]['bound'] == 'yes', rows
        assert rows[os.path.basename(REFUSED)]['result'] == 'refused', rows
        shot('enrol')

        # Group: the face's crop and enrol time.
        go(f'/group/{GROUP}')
        face = f'figure[data-face-token="{token}"]'
        until(lambda: d.find_elements(By.CSS_SELECTOR, face), 'the enrolled face in the Group screen')
        until(lambda: img_loaded(face + ' img'), 'the face crop image')
        until(lambda: 'enrolled 20' in css(face).text, 'the enrol time')
        shot('group')

        # Recognise: another photo of the same person passes.
        recognise(GROUP, CAPTURE, 'rec-passed', 'the recognise result')
        assert css('#rec-passed').get_attribute('data-passed') == 'true', css('#rec-result').text
        assert float(css('#rec-score').text) >= float(css('#rec-threshold').text)
        assert css(f'#rec-result a[data-face-token="{token}"]')
        image_id = css('#rec-image-id').text
        until(lambda: img_loaded('#rec-result img.thumb'), 'the top match crop')
        shot('recognise')
        css('#rec-run').click()  # a second capture, for History's paging
        until(lambda: d.find_elements(By.ID, 'rec-image-id') and css('#rec-image-id').text not in ('', image_id),
              'a second recognise')
        image_id_2 = css('#rec-image-id').text

        # History: the capture, then through to the enrolled face.
        go(f'/history?group={GROUP}')
        row = f'tr[data-image-id="{image_id}"]'
        until(lambda: d.find_elements(By.CSS_SELECTOR, row) or d.find_elements(By.CSS_SELECTOR, '#hist-msg .error'), 'the History rows')
        status, _ = http(server.base, 'GET', f'/api/service/recognize/v1/history?group_name={GROUP}', server.key)
        assert status == 200, f'history endpoint answered {status}'
        assert not d.find_elements(By.CSS_SELECTOR, '#hist-msg .error'), css('#hist-msg').text
        assert css(row).get_attribute('data-face-token') == token
        assert 'passed' in css(row).text, css(row).text
        until(lambda: img_loaded(row + ' td img'), 'the capture thumbnail')
        # The filters: not passed finds nothing for this group.
        Select(css('#hist-passed')).select_by_value('false')
        css('#hist-search').click()
        until(lambda: 'No captures match' in css('#hist-body').text, 'the passed=false filter')
        Select(css('#hist-passed')).select_by_value('true')
        css('#hist-search').click()
        until(lambda: d.find_elements(By.CSS_SELECTOR, row), 'the passed=true filter')
        shot('history')
        css(row + ' a.match').click()
        until(lambda: d.find_elements(By.CSS_SELECTOR, f'figure.highlight[data-face-token="{token}"]'), 'the face highlighted in its group')
        # And back: the face's recognitions (History filtered by its face_token).
        css(f'figure.highlight[data-face-token="{token}"] a[href^="#/history"]').click()
        until(lambda: d.find_elements(By.CSS_SELECTOR, row), "the face's recognitions")
        assert css('#hist-face').get_attribute('value') == token
        # Newest first, one per page here: the second capture, then "Load more" the first.
        go(f'/history?group={GROUP}&limit=1')
        until(lambda: [r.get_attribute('data-image-id') for r in d.find_elements(By.CSS_SELECTOR, '#hist-body tr')] == [image_id_2],
              'one row per page, newest first')
        css('#hist-more').click()
        until(lambda: [r.get_attribute('data-image-id') for r in d.find_elements(By.CSS_SELECTOR, '#hist-body tr')] == [image_id_2, image_id],
              'the next page after Load more')
        until(lambda: css('#hist-more').get_attribute('hidden') is not None, 'no more pages')
        # A time range after the captures finds nothing.
        d.execute_script('document.getElementById("hist-from").value = arguments[0]',
                         time.strftime('%Y-%m-%dT%H:%M:%S', time.localtime(time.time() + 120)))
        css('#hist-search').click()
        until(lambda: 'No captures match' in css('#hist-body').text, 'the from filter')
        d.execute_script('document.getElementById("hist-from").value = ""')

        # Compare: two photos of one person.
        go('/compare')
        until(lambda: d.find_elements(By.ID, 'cmp-1'), 'the Compare screen')
        css('#cmp-1').send_keys(os.path.join(faces, GOOD))
        css('#cmp-2').send_keys(os.path.join(faces, CAPTURE))
        css('#cmp-run').click()
        until(lambda: d.find_elements(By.ID, 'cmp-score'), 'the compare result')
        assert 'passed' in css('#cmp-result').text and 'yaw' in css('#cmp-result').text, css('#cmp-result').text
        shot('compare')

        # Devices: a simulated gate syncs the group, then the table shows it.
        status, body = http(server.base, 'POST', '/api/keys/v1/create', server.key, {'name': 'gate_console', 'role': 'device'})
        assert status == 200, body
        device_key = json.loads(body)['data']['key']
        sync = subprocess.run([a.device, 'sync', '--store', os.path.join(work, 'device.db'), '--server', server.base,
                               '--group', GROUP, '--models-dir', a.models, '--api-key', device_key],
                              capture_output=True, text=True, timeout=60)
        assert sync.returncode == 0, sync.stdout + sync.stderr
        go('/devices')
        drow = f'tr[data-ip="127.0.0.1"][data-group="{GROUP}"]'
        until(lambda: d.find_elements(By.CSS_SELECTOR, drow), 'the device row')
        assert css(drow + ' .versions').text == '0 → 2', css(drow).text
        assert css(drow + ' .added').text == '+1 / −0', css(drow).text
        assert 'up to date' in css(drow + ' .state').text, css(drow).text
        shot('devices')
        # An unbind moves the group ahead of what the device holds: stale.
        status, body = http(server.base, 'POST', '/api/group/v1/unbind', server.key, {'group_name': GROUP, 'face_token': token})
        assert status == 200, body
        css('#devices-refresh').click()
        until(lambda: 'behind' in css(drow + ' .state').text, 'the device marked stale after an unbind')
        assert 'stale' in css(drow).get_attribute('class')
        shot('devices-stale')

        # Group: bind the unbound face again by its face_token.
        go(f'/group/{GROUP}')
        until(lambda: 'No faces bound yet' in css('#group-summary').text, 'the empty group')
        css('#bind-token').send_keys(token)
        css('#bind-form button').click()
        until(lambda: d.find_elements(By.CSS_SELECTOR, face), 'the face bound again by token')
        css('#bind-token').clear()
        css('#bind-token').send_keys('AAAAAAAAAAAAAAAAAAAAAA==')
        css('#bind-form button').click()
        until(lambda: 'not valid: face_token' in css('#group-msg').text, 'a bad token refused in words')

        # Names (issue 29): three photos named from their file names, one found
        # by name and renamed, the new name in a recognise test and in History.
        status, body = http(server.base, 'POST', '/api/group/v1/create', server.key, {'group_name': NAMES_GROUP})
        assert status == 200, body
        named_dir = os.path.join(work, 'named')
        os.makedirs(named_dir, exist_ok=True)
        for file_name, photo in NAMED.items():
            shutil.copyfile(os.path.join(faces, photo), os.path.join(named_dir, file_name))
        go(f'/enrol?group={NAMES_GROUP}')
        until(lambda: d.find_elements(By.ID, 'enrol-label-from'), 'the Enrol screen with its name fields')
        Select(css('#enrol-label-from')).select_by_value('filename')
        css('#enrol-files').send_keys('\n'.join(os.path.join(named_dir, n) for n in NAMED))
        until(lambda: css('#enrol-progress').get_attribute('value') == str(len(NAMED)), 'the named photos processed')
        named_tokens = {}
        for file_name in NAMED:
            art = css(f'article[data-file="{file_name}"]')
            assert 'enrolled' in art.get_attribute('class'), art.text
            assert file_name[:-4] in art.find_element(By.CSS_SELECTOR, '.name').text, art.text
            named_tokens[file_name[:-4]] = art.get_attribute('data-face-token')
        shot('enrol-names')
        go('/faces')
        until(lambda: d.find_elements(By.ID, 'faces-label'), 'the People screen')
        css('#faces-label').send_keys('joe')
        css('#faces-search').click()
        biden = f'#faces-found figure[data-face-token="{named_tokens["Joe Biden"]}"]'
        until(lambda: len(d.find_elements(By.CSS_SELECTOR, '#faces-found figure')) == 1 and d.find_elements(By.CSS_SELECTOR, biden),
              'Joe Biden found by name, alone')
        assert css(biden + ' .face-name').text == 'Joe Biden', css(biden).text
        until(lambda: img_loaded(biden + ' img'), 'the found face crop')
        css(biden + ' button.rename').click()
        prompt = d.switch_to.alert
        prompt.send_keys(RENAMED)
        prompt.accept()
        until(lambda: css(biden + ' .face-name').text == RENAMED, 'the new name on the card')
        status, body = http(server.base, 'POST', '/api/face/v1/query', server.key, {'face_token': named_tokens['Joe Biden']})
        assert json.loads(body)['data']['label'] == RENAMED, body
        shot('people')
        recognise(NAMES_GROUP, NAMED_CAPTURE, 'rec-label', 'the recognise result with a name')
        assert css('#rec-label').text == RENAMED, css('#rec-result').text
        named_capture = css('#rec-image-id').text
        shot('recognise-names')
        go(f'/history?group={NAMES_GROUP}')
        hrow = f'tr[data-image-id="{named_capture}"]'
        until(lambda: d.find_elements(By.CSS_SELECTOR, hrow), 'the named capture in History')
        assert css(hrow + ' .hist-label').text == RENAMED, css(hrow).text
        shot('history-names')

        # Settings: thresholds and keys (admin).
        go('/settings')
        until(lambda: css('#recognize_threshold').get_attribute('value') == '78', 'the thresholds')
        until(lambda: d.find_elements(By.CSS_SELECTOR, 'tr[data-key="gate_console"]'), 'the keys table')
        css('#recognize_threshold').clear()
        css('#recognize_threshold').send_keys('80')
        css('#config-save').click()
        until(lambda: 'Thresholds saved' in css('#toast').text, 'the thresholds saved')
        status, body = http(server.base, 'GET', '/api/service/config/v1', server.key)
        assert json.loads(body)['data']['recognize_threshold'] == 80, body
        css('#recognize_threshold').clear()
        css('#recognize_threshold').send_keys('-1')  # back to the default
        css('#config-save').click()
        until(lambda: css('#recognize_threshold').get_attribute('value') == '78', 'the default threshold again')
        css('#key-name').send_keys('viewer_console')
        Select(css('#key-role')).select_by_value('viewer')
        css('#key-form button').click()
        until(lambda: d.find_elements(By.ID, 'new-key'), 'the new key shown once')
        assert len(css('#new-key').text) == 43, css('#new-key').text
        until(lambda: d.find_elements(By.CSS_SELECTOR, 'tr[data-key="viewer_console"]'), 'the new key listed')
        shot('settings')
        css('tr[data-key="viewer_console"] button.danger').click()
        d.switch_to.alert.accept()
        until(lambda: 'revoked' in css('tr[data-key="viewer_console"]').text, 'the key revoked')

        # Keyboard: the skip link comes first, then the navigation.
        d.refresh()
        until(lambda: d.find_elements(By.ID, 'config-form'), 'Settings after a reload (the key kept in sessionStorage)')
        tabs = []
        for _ in range(3):
            ActionChains(d).send_keys(Keys.TAB).perform()
            tabs.append(d.switch_to.active_element.text)
        assert tabs == ['Skip to content', 'FacePass', 'Groups'], tabs

        # A 390 px phone: no horizontal scrolling on any screen.
        d.set_window_size(390, 844)
        for name in ('groups', 'enrol', 'faces', f'group/{GROUP}', 'recognise', 'compare', 'devices', 'history', 'settings'):
            go('/' + name)
            until(lambda: d.find_elements(By.TAG_NAME, 'h1'), f'{name} at 390 px')
            time.sleep(0.3)
            overflow = d.execute_script('return document.documentElement.scrollWidth - document.documentElement.clientWidth')
            assert overflow <= 0, f'{name}: {overflow} px wider than the phone screen'
        go('/groups')
        until(lambda: d.find_elements(By.CSS_SELECTOR, f'tr[data-group="{GROUP}"] .version') and
              css(f'tr[data-group="{GROUP}"] .version').text.isdigit(), 'groups at 390 px')
        shot('groups-phone')
        go(f'/group/{GROUP}')
        until(lambda: d.find_elements(By.ID, 'bind-token'), 'group at 390 px')
        shot('group-phone')

        # Nothing refused by the Content-Security-Policy, no script errors.
        logs = [e for e in d.get_log('browser') if e['level'] == 'SEVERE']
        bad_logs = [e['message'] for e in logs if 'Content Security Policy' in e['message'] or 'Uncaught' in e['message']]
        assert not bad_logs, bad_logs
        d.set_window_size(1280, 800)

        # An operator key: logged in, refused what its role may not do, in words.
        status, body = http(server.base, 'POST', '/api/keys/v1/create', server.key, {'name': 'ops_console', 'role': 'operator'})
        assert status == 200, body
        css('#logout').click()
        until(lambda: d.find_elements(By.ID, 'api-key'), 'the login form after logging out')
        assert d.execute_script('return sessionStorage.getItem("facepass.apiKey")') is None
        css('#api-key').send_keys(json.loads(body)['data']['key'])
        css('#login-button').click()
        until(lambda: d.find_elements(By.CSS_SELECTOR, f'tr[data-group="{GROUP}"]'), 'Groups for the operator')
        go('/settings')
        until(lambda: 'needs an admin key' in css('#keys').text, 'keys hidden from an operator')
        until(lambda: "role (operator) may not do this" in css('#config-form').text, 'the thresholds refused in words')
        shot('settings-operator')

        large_group_warns(d, a, work, until, shot)
        ok = auth_off_skips_login(d, a, work, until, shot)
    finally:
        if not ok:
            try:
                shot('failure')
                print('browser log:', json.dumps(d.get_log('browser'), indent=1)[:4000])
            except Exception:
                pass
        d.quit()
        server.stop()
        for p in shots:
            print(f'screenshot: {p}')
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f'kept {work} (server log {server.log_path})')
    print('console_test: all screens passed')


if __name__ == '__main__':
    main()
