DROP TABLE IF EXISTS exchange_rates;
DROP TABLE IF EXISTS order_lines;
DROP TABLE IF EXISTS orders;
DROP TABLE IF EXISTS price_list_prices;
DROP TABLE IF EXISTS price_lists;
DROP TABLE IF EXISTS products;
