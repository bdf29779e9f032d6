-- Synthetic customers, contacts and interactions for one tenant, generated
-- inside the database (INSERT ... SELECT generate_series) and deterministic:
-- row i always gets the same values. `bench/src/bin/customers.rs` replaces
-- the placeholders {tenant}, {tenant_no} (3 hex digits, so that ids differ
-- between tenants), {customers}, {contacts} (per customer) and {notes}
-- (interactions per customer), and runs this as the owner role in one
-- transaction after set_config('app.tenant_id', ...), since row-level
-- security is forced for the owner too.
--
-- The rollups (contact and interaction counts, open tasks, last
-- interaction) are written as the API would leave them, from the same
-- formulas that generate the contacts and interactions; the benchmark checks
-- them against the records afterwards. The search rows are written by
-- search_rebuild() after the load (the benchmark disables the search
-- triggers while loading: one set-based rebuild is much faster than a
-- trigger per row, and writes the same rows).
--
-- Names mix companies ("Globex Atlas Logistics"), people ("Ann Garcia") and
-- Chinese names ("王芳", "北京华为科技有限公司"); phones are written in four
-- different ways; emails, websites, industries and regions vary.

-- h(i, salt): a deterministic, well-spread non-negative integer.
CREATE OR REPLACE FUNCTION pg_temp.h(i int, salt int) RETURNS int LANGUAGE sql IMMUTABLE
    AS $$ SELECT abs(hashint4(i * 31 + salt)) $$;

-- One element of `a`, picked by h(i, salt).
CREATE OR REPLACE FUNCTION pg_temp.pick(a text[], i int, salt int) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT a[1 + pg_temp.h(i, salt) % cardinality(a)] $$;

-- A phone number in one of four written forms.
CREATE OR REPLACE FUNCTION pg_temp.phone(i int, salt int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE pg_temp.h(i, salt) % 4
             WHEN 0 THEN '+1 (' || d3 || ') ' || substr(d7, 1, 3) || '-' || substr(d7, 4)
             WHEN 1 THEN d3 || '.' || substr(d7, 1, 3) || '.' || substr(d7, 4)
             WHEN 2 THEN '+86 ' || d3 || ' ' || substr(d7, 1, 4) || ' ' || substr(d7, 5)
             ELSE '(' || d3 || ') ' || d7
           END
      FROM (SELECT (200 + pg_temp.h(i, salt + 1) % 800)::text AS d3,
                   lpad((pg_temp.h(i, salt + 2) % 10000000)::text, 7, '0') AS d7) d
$$;

-- When interaction n (1 = newest) of customer i happened: customers were
-- last contacted between 3 days and about two years before 2026-11-01.
CREATE OR REPLACE FUNCTION pg_temp.occurred(i int, n int) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
    SELECT '2026-11-01 00:00:00+00'::timestamptz
           - make_interval(days => i % 700 + 3 * n, hours => i % 24)
$$;

CREATE TEMP TABLE vocabulary ON COMMIT DROP AS SELECT
    string_to_array(
        'Globex Initech Umbrella Stark Wayne Acme Hooli Vandelay Soylent Cyberdyne Tyrell Wonka '
        'Oscorp Gringotts Monarch Aperture Massive Dynamic Nakatomi Virtucon Gekko Prestige Sterling '
        'Cooper Piper Bluth Dunder Mifflin Krusty Duff Ollivander Zorg Weyland Yutani Spacely '
        'Cogswell Rekall Abstergo Kaiba Shinra Nuka Tessier Ashpool Sirius Encom Fabrikam Contoso '
        'Northwind Tailspin Litware Adventure Proseware Lucerne Margie Trey Wingtip Alpine Coho '
        'Fourth Graphic Humongous Lamna Liberty Consolidated Messer Yonder Datum Southridge '
        'Woodgrove Atlas Nimbus Orion Zenith Apex Vertex Quantum Horizon Summit Pinnacle Beacon '
        'Harbor Meridian Granite Cedar Maple Willow Falcon Eagle Hawk Raven Phoenix Dragon Tiger '
        'Lotus Jade Silk Amber Coral Ivory Onyx Ruby Sapphire Emerald Cobalt Crimson Indigo Saffron',
        ' ') AS words,
    ARRAY['Corporation', 'Industries', 'Logistics', 'Holdings', 'Systems', 'Labs', 'Trading',
          'Partners', 'Group', 'Foods', 'Energy', 'Capital', 'Studios', 'Robotics', 'Pharma',
          'Retail', 'Consulting', 'Media', 'Motors', 'Textiles'] AS suffixes,
    string_to_array(
        'Ann Bob Carla David Emma Frank Grace Henry Irene Jack Karen Liam Maria Noah Olivia Peter '
        'Quinn Rosa Sam Tina Umar Vera Walter Xena Yusuf Zoe Aisha Bruno Chen Dmitri Elena Farid '
        'Giulia Hiro Ingrid Jamal Kofi Lena Mateo Nadia Oscar Priya Rahul Sofia Tomas Uma Viktor Wei',
        ' ') AS first_names,
    string_to_array(
        'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez '
        'Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White '
        'Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres '
        'Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts '
        'Kowalski Novak', ' ') AS last_names,
    string_to_array('王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗', ' ') AS cn_surnames,
    string_to_array('伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 华 平 建国 志强 晓明 '
                    '海燕 春梅 文博 子涵 雨萱 浩然 思远', ' ') AS cn_given,
    string_to_array('华为 腾讯 阿里 百度 京东 美团 小米 联想 海尔 格力 比亚迪 中兴 网易 携程 顺丰 '
                    '万科 长城 东方 华夏 金山', ' ') AS cn_brands,
    string_to_array('北京 上海 广州 深圳 杭州 成都 南京 武汉 西安 苏州', ' ') AS cn_cities,
    ARRAY['Retail', 'Manufacturing', 'Software', 'Logistics', 'Healthcare', 'Finance', 'Energy',
          'Education', 'Hospitality', 'Agriculture'] AS industries,
    ARRAY['North America', 'Europe', 'East Asia', 'South America', 'Oceania', 'Africa',
          'Shanghai', 'Beijing'] AS regions,
    ARRAY['Buyer', 'Head of purchasing', 'CFO', 'Office manager', 'CTO', 'Sales director',
          'Assistant', 'Owner'] AS titles,
    ARRAY['Discussed renewal terms and pricing for next year',
          'Customer asked about the integration with their warehouse system',
          'Sent the quarterly invoice and confirmed the payment schedule',
          'Follow up on the onboarding workshop for new staff',
          'Complaint about late delivery of the spring order',
          'Interested in the premium support plan',
          'Met the procurement team at the trade fair',
          'Requested a demo of the analytics dashboard',
          'Budget approved for the expansion project',
          'Contract signed, kickoff meeting scheduled',
          '客户询问下季度的价格和交货时间',
          '讨论了续约条款和培训计划'] AS phrases,
    string_to_array(
        'pricing discount invoice shipment pallet forklift warehouse container freight customs '
        'licence upgrade migration training workshop onboarding dashboard report forecast budget '
        'tender contract renewal escalation outage latency backlog roadmap prototype sample '
        'certificate audit compliance quality inspection packaging', ' ') AS note_words;

CREATE TEMP TABLE gen ON COMMIT DROP AS
SELECT i,
       ('00000000-0000-7{tenant_no}-8000-' || lpad(to_hex(i), 12, '0'))::uuid AS id,
       CASE WHEN pg_temp.h(i, 1) % 10 < 6 THEN 'COMPANY'
            WHEN pg_temp.h(i, 1) % 10 < 9 THEN 'PERSON'
            ELSE 'CHINESE' END AS style,
       pg_temp.pick(v.words, i, 11) AS w1,
       pg_temp.pick(v.words, i, 12) AS w2,
       pg_temp.pick(v.suffixes, i, 13) AS sfx,
       pg_temp.pick(v.first_names, i, 14) AS fn,
       pg_temp.pick(v.last_names, i, 15) AS ln,
       pg_temp.pick(v.cn_surnames, i, 16) || pg_temp.pick(v.cn_given, i, 17) AS cn_person,
       pg_temp.pick(v.cn_cities, i, 18) || pg_temp.pick(v.cn_brands, i, 19) || '科技有限公司' AS cn_company,
       v.industries, v.regions
  FROM generate_series(1, {customers}) AS i, vocabulary v;

-- Interaction {notes} (the oldest) of every customer is a task, done for
-- even customers: odd ones have one open task.
INSERT INTO customers (tenant_id, id, kind, name, email, phone, website, industry, region,
                       external_id, lifecycle_stage, tags, created_at, updated_at,
                       contact_count, interaction_count, open_task_count, last_interaction_at)
SELECT '{tenant}'::uuid, id,
       CASE WHEN style = 'COMPANY' OR (style = 'CHINESE' AND i % 2 = 1) THEN 'COMPANY' ELSE 'PERSON' END,
       CASE style WHEN 'COMPANY' THEN w1 || ' ' || w2 || ' ' || sfx
                  WHEN 'PERSON' THEN fn || ' ' || ln
                  ELSE CASE WHEN i % 2 = 0 THEN cn_person ELSE cn_company END END,
       CASE WHEN pg_temp.h(i, 3) % 10 < 8 THEN
            lower(CASE style WHEN 'PERSON' THEN fn || '.' || ln ELSE w1 END)
            || i || '@' || lower(w2) || '.example' END,
       CASE WHEN pg_temp.h(i, 4) % 10 < 8 THEN pg_temp.phone(i, 20) END,
       CASE WHEN style = 'COMPANY' THEN 'https://' || lower(w1) || i || '.example' END,
       pg_temp.pick(industries, i, 5),
       pg_temp.pick(regions, i, 6),
       'EXT-' || i,
       pg_temp.pick(ARRAY['LEAD', 'PROSPECT', 'CUSTOMER', 'CHURNED'], i, 7),
       ARRAY[pg_temp.pick(ARRAY['vip', 'partner', 'reseller', 'newsletter', 'trade-fair'], i, 8)],
       '2026-11-01 00:00:00+00'::timestamptz - make_interval(secs => i),
       '2026-11-01 00:00:00+00'::timestamptz - make_interval(secs => i),
       {contacts}, {notes},
       CASE WHEN {notes} > 0 AND i % 2 = 1 THEN 1 ELSE 0 END,
       CASE WHEN {notes} > 0 THEN pg_temp.occurred(i, 1) END
  FROM gen;

INSERT INTO contacts (tenant_id, id, customer_id, name, title, email, phone, created_at, updated_at)
SELECT '{tenant}'::uuid,
       ('00000000-0000-7{tenant_no}-9000-' || lpad(to_hex(g.i * 16 + c), 12, '0'))::uuid,
       g.id,
       pg_temp.pick(v.first_names, g.i * 16 + c, 30) || ' ' || pg_temp.pick(v.last_names, g.i * 16 + c, 31),
       pg_temp.pick(v.titles, g.i * 16 + c, 32),
       lower(pg_temp.pick(v.first_names, g.i * 16 + c, 30)) || '.' || (g.i * 16 + c) || '@'
           || lower(g.w2) || '.example',
       pg_temp.phone(g.i * 16 + c, 40),
       '2026-11-01 00:00:00+00'::timestamptz - make_interval(secs => g.i * 16 + c),
       '2026-11-01 00:00:00+00'::timestamptz - make_interval(secs => g.i * 16 + c)
  FROM gen g, vocabulary v, generate_series(1, {contacts}) AS c;

INSERT INTO interactions (tenant_id, id, customer_id, kind, direction, subject, body, occurred_at,
                          due_at, completed_at)
SELECT '{tenant}'::uuid,
       ('00000000-0000-7{tenant_no}-a000-' || lpad(to_hex(g.i * 64 + n), 12, '0'))::uuid,
       g.id,
       CASE WHEN n = {notes} THEN 'TASK'
            ELSE pg_temp.pick(ARRAY['NOTE', 'NOTE', 'CALL', 'EMAIL', 'MEETING'], g.i * 64 + n, 50) END,
       'INTERNAL',
       pg_temp.pick(v.phrases, g.i * 64 + n, 51),
       pg_temp.pick(v.phrases, g.i * 64 + n, 52) || '. '
           || pg_temp.pick(v.note_words, g.i * 64 + n, 53) || ' '
           || pg_temp.pick(v.note_words, g.i * 64 + n, 54) || ' '
           || pg_temp.pick(v.note_words, g.i * 64 + n, 55) || ' ref ' || (g.i * 64 + n),
       pg_temp.occurred(g.i, n),
       CASE WHEN n = {notes} THEN pg_temp.occurred(g.i, n) + interval '7 days' END,
       CASE WHEN n = {notes} AND g.i % 2 = 0 THEN pg_temp.occurred(g.i, n) + interval '1 day' END
  FROM gen g, vocabulary v, generate_series(1, {notes}) AS n;

-- Cases: every fifth customer has one, numbered in customer order; those of
-- every tenth customer are still open (a quarter of them past due), the
-- others resolved and, one in two, rated.
INSERT INTO cases (tenant_id, id, number, customer_id, subject, kind, status, priority, channel,
                   first_response_due_at, resolution_due_at, first_responded_at, resolved_at,
                   resolution, satisfaction_score, rated_at, created_at, updated_at)
SELECT '{tenant}'::uuid,
       ('00000000-0000-7{tenant_no}-b000-' || lpad(to_hex(g.i), 12, '0'))::uuid,
       g.i / 5,
       g.id,
       pg_temp.pick(v.phrases, g.i, 60),
       pg_temp.pick(ARRAY['INQUIRY', 'COMPLAINT', 'SUGGESTION', 'REQUEST', 'PROBLEM'], g.i, 61),
       CASE WHEN g.i % 10 = 0 THEN pg_temp.pick(ARRAY['NEW', 'OPEN', 'PENDING'], g.i, 62) ELSE 'RESOLVED' END,
       pg_temp.pick(ARRAY['LOW', 'NORMAL', 'NORMAL', 'HIGH', 'URGENT'], g.i, 63),
       pg_temp.pick(ARRAY['PHONE', 'EMAIL', 'WEB', 'CHAT'], g.i, 64),
       opened + interval '8 hours',
       opened + CASE WHEN g.i % 40 = 0 THEN interval '1 hour' ELSE interval '3 days' END,
       CASE WHEN g.i % 10 <> 0 THEN opened + interval '2 hours' END,
       CASE WHEN g.i % 10 <> 0 THEN opened + interval '1 day' END,
       CASE WHEN g.i % 10 <> 0 THEN 'Answered' END,
       CASE WHEN g.i % 10 <> 0 AND g.i % 2 = 1 THEN 1 + pg_temp.h(g.i, 65) % 5 END,
       CASE WHEN g.i % 10 <> 0 AND g.i % 2 = 1 THEN opened + interval '2 days' END,
       opened, opened
  FROM gen g, vocabulary v,
       LATERAL (SELECT CASE WHEN g.i % 10 = 0 THEN now() - interval '2 hours'
                            ELSE pg_temp.occurred(g.i, 2) END AS opened) o
 WHERE g.i % 5 = 0;
INSERT INTO case_counters (tenant_id, last_number) SELECT '{tenant}'::uuid, {customers} / 5 WHERE {customers} >= 5;
