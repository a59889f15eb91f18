-- =============================================================================
-- The old application's reads that workload.sql does not list, unchanged: back office and shop pages
-- that read variants (stock, variation, the product's copies), order lines and the wishlist, written
-- against the legacy schema. On the migrated database they run with search_path = legacy, public, so
-- that variants and order_details are the legacy views (bench/legacy_views.py).
-- Ids as in workload.sql (stable at every scale): product #15, variant #1, user #555, user #102,
-- category #142, brand #49.
-- =============================================================================

-- name: variant_by_id
-- Back office: the variant edit form.
SELECT * FROM variants WHERE id = '6a7e2a99-4291-4f1e-807d-bfb081204124';

-- name: product_variants_full
-- Product page: every variant of the product, as the old application's model loads it.
SELECT * FROM variants WHERE product_id = 'ce78bb16-89cf-47dd-89e6-1de1c8ae2a0f' ORDER BY created_at, id;

-- name: product_total_stock
-- Product page badge: units on hand over the product's variants.
SELECT coalesce(sum(stock), 0) AS stock FROM variants
WHERE product_id = 'ce78bb16-89cf-47dd-89e6-1de1c8ae2a0f' AND is_archived = false;

-- name: low_stock_variants
-- Back office: variants running out, fewest first.
SELECT id, product_name, model, stock FROM variants
WHERE is_archived = false AND stock < 3
ORDER BY stock, id
LIMIT 50;

-- name: out_of_stock_count
-- Back office dashboard: how many sellable variants have nothing on hand.
SELECT count(*) FROM variants WHERE is_available = true AND is_archived = false AND coalesce(stock, 0) <= 0;

-- name: category_stock_value
-- Back office: value of the stock of a category at selling price.
SELECT sum(stock * selling_price) AS value FROM variants
WHERE category_id = '87a448eb-2a28-4f3a-87e6-8275ca84fa2e' AND stock > 0;

-- name: brand_variants_in_stock
-- Shop page: a brand's variants that can be bought, cheapest first.
SELECT id, product_id, product_name, selling_price, stock FROM variants
WHERE brand_id = '5fd02f36-6dbc-40c5-849f-eb45104413ea' AND is_available = true AND stock > 0
ORDER BY selling_price, id
LIMIT 24;

-- name: order_lines_with_variant
-- Order page: an order's lines with the variant's name and model (the user's latest order).
SELECT d.id, d.quantity, d.unit_price, v.product_name, v.model
FROM order_details d
JOIN variants v ON v.id = d.product_id
WHERE d.order_id = (SELECT o.id FROM orders o WHERE o.user_id = '87ac0acd-f738-41eb-829f-1dc8291b666a'
                    ORDER BY o.created_at DESC, o.id LIMIT 1)
ORDER BY d.id;

-- name: best_selling_variants
-- Back office report: the variants sold most in order lines, with their stock.
SELECT v.id, v.product_name, v.stock, s.sold
FROM (SELECT d.product_id, sum(d.quantity) AS sold FROM order_details d GROUP BY d.product_id
      ORDER BY sold DESC, d.product_id LIMIT 20) s
JOIN variants v ON v.id = s.product_id
ORDER BY s.sold DESC, v.id;

-- name: wishlist_with_stock
-- Wishlist page: the user's wishes, with whether any variant of the product is in stock.
SELECT w.product_id, p.product_name,
       EXISTS (SELECT 1 FROM variants v WHERE v.product_id = w.product_id AND v.stock > 0) AS in_stock
FROM wishlists w
JOIN products p ON p.id = w.product_id
WHERE w.user_id = '7fcce0ea-c072-4e9e-8151-89c2b2d77c14'
ORDER BY w.created_at DESC, w.id;

-- name: variants_newest_page
-- Back office: the variants list, newest first, first page.
SELECT id, product_name, model, selling_price, stock, is_available
FROM variants
ORDER BY created_at DESC, id
LIMIT 25;

-- name: variation_of_product
-- Product page: the variation choices of a product's available variants.
SELECT id, variation, stock FROM variants
WHERE product_id = 'ce78bb16-89cf-47dd-89e6-1de1c8ae2a0f' AND is_available = true
ORDER BY id;
